import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startApiClient } from './api/client';
import { desktopShell } from './api/desk';
import { AppShell } from './components/AppShell';
import { SharedLedgerDialog } from './components/SharedLedgerDialog';
import { SessionGate } from './pages/sign-in/SessionGate';
import './styles.css';

// The token must leave the address bar before the router first reads the hash.
startApiClient();

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
const desk = desktopShell();
createRoot(container).render(
  <StrictMode>
    <SessionGate>
      <AppShell />
    </SessionGate>
    {desk === null ? null : <SharedLedgerDialog desk={desk} />}
  </StrictMode>,
);
