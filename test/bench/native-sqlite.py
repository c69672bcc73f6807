"""The native SQLite baseline of `npm run bench` (issue 14): what an afternoon's loop over
Python's sqlite3 does with the same durability as PayDesk's batch (a commit per 1,000 rows).

usage: python3 native-sqlite.py INPUT.csv DATABASE OPENING.json
OPENING.json maps each account code to its opening balance in minor units (overdraft limit 0).
WAL, synchronous=FULL; per row: read the debtor's balance, refuse an overdraft, update both
balances, insert the payment into a table with a unique payment id and an index per account.
Prints one JSON line: rows, accepted, rejected, ms, balances (minor units).
"""
import csv
import json
import sqlite3
import sys
import time

ROWS_PER_COMMIT = 1000


def minor_units(amount):
    """A decimal string with at most two decimals (EUR) as integer cents, exactly."""
    whole, _, fraction = amount.partition('.')
    return int(whole) * 100 + int((fraction + '00')[:2])


def main(input_path, database_path, opening_path):
    started = time.perf_counter()
    with open(opening_path) as opening_file:
        opening = json.load(opening_file)
    connection = sqlite3.connect(database_path, isolation_level=None)
    connection.execute('PRAGMA journal_mode=WAL')
    connection.execute('PRAGMA synchronous=FULL')
    connection.execute('CREATE TABLE accounts (code TEXT PRIMARY KEY, balance_minor INTEGER NOT NULL)')
    connection.execute(
        'CREATE TABLE payments (id INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE, debtor TEXT NOT NULL, '
        'creditor TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, reference TEXT)')
    connection.execute('CREATE INDEX payments_debtor ON payments (debtor)')
    connection.execute('CREATE INDEX payments_creditor ON payments (creditor)')
    connection.execute('BEGIN')
    connection.executemany('INSERT INTO accounts VALUES (?, ?)', opening.items())
    connection.execute('COMMIT')
    rows = accepted = rejected = 0
    with open(input_path, newline='', encoding='utf-8-sig') as input_file:
        connection.execute('BEGIN')
        for row in csv.DictReader(input_file):
            rows += 1
            amount = minor_units(row['amount'])
            debtor, creditor = row['debtor_account'], row['creditor_account']
            balance = connection.execute('SELECT balance_minor FROM accounts WHERE code = ?', (debtor,)).fetchone()[0]
            if balance < amount:
                rejected += 1
            else:
                connection.execute('UPDATE accounts SET balance_minor = balance_minor - ? WHERE code = ?', (amount, debtor))
                connection.execute('UPDATE accounts SET balance_minor = balance_minor + ? WHERE code = ?', (amount, creditor))
                connection.execute(
                    'INSERT INTO payments (payment_id, debtor, creditor, amount_minor, currency, reference) VALUES (?, ?, ?, ?, ?, ?)',
                    (row['payment_id'], debtor, creditor, amount, row['currency'], row['reference']))
                accepted += 1
            if rows % ROWS_PER_COMMIT == 0:
                connection.execute('COMMIT')
                connection.execute('BEGIN')
        connection.execute('COMMIT')
    balances = dict(connection.execute('SELECT code, balance_minor FROM accounts'))
    connection.close()
    milliseconds = (time.perf_counter() - started) * 1000
    print(json.dumps({'rows': rows, 'accepted': accepted, 'rejected': rejected, 'ms': milliseconds, 'balances': balances}))


if __name__ == '__main__':
    main(*sys.argv[1:4])
