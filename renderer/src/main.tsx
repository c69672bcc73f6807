import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startApiClient } from './api/client';
import { AppShell } from './components/AppShell';
import { SessionGate } from './pages/sign-in/SessionGate';
import './styles.css';

// The token must leave the address bar before the router first reads the hash.
startApiClient();

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <SessionGate>
      <AppShell />
    </SessionGate>
  </StrictMode>,
);
