/**
 * Active ISO 4217 currencies and their minor-unit exponents.
 * Exponent 0: no minor unit (JPY). Exponent 3: thousandths (BHD). Exponent 4: CLF, UYW.
 * Every other active code uses two decimals.
 */
const exponentZero = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV',
  'XAF', 'XOF', 'XPF',
] as const;

const exponentThree = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;

const exponentFour = ['CLF', 'UYW'] as const;

const exponentTwo = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN',
  'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF',
  'CHW', 'CNY', 'COP', 'COU', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB',
  'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF',
  'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR',
  'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN',
  'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR',
  'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS',
  'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS',
  'UAH', 'USD', 'USN', 'UYU', 'UZS', 'VED', 'VES', 'WST', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG',
] as const;

export type CurrencyExponent = 0 | 2 | 3 | 4;

function buildExponentTable(): ReadonlyMap<string, CurrencyExponent> {
  const table = new Map<string, CurrencyExponent>();
  for (const code of exponentZero) table.set(code, 0);
  for (const code of exponentTwo) table.set(code, 2);
  for (const code of exponentThree) table.set(code, 3);
  for (const code of exponentFour) table.set(code, 4);
  return table;
}

const exponents = buildExponentTable();

/** The exponent of an active ISO 4217 currency, or undefined for an unknown code. */
export function currencyExponent(currency: string): CurrencyExponent | undefined {
  return exponents.get(currency);
}

export function isKnownCurrency(currency: string): boolean {
  return exponents.has(currency);
}

/** Every active currency code, sorted. */
export const currencyCodes: readonly string[] = [...exponents.keys()].sort();
