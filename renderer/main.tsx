/** Entry point: pick the transport, build the stores around it, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/pages.css';
import { App, SignedOut } from './app/app.js';
import { pickBridge } from './bridge/pick-bridge.js';
import { createStores } from './store/stores.js';
import { StoresProvider } from './store/stores-context.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const bridge = pickBridge();
createRoot(container).render(
  <StrictMode>
    {bridge ? (
      <StoresProvider stores={createStores(bridge)}>
        <App />
      </StoresProvider>
    ) : (
      <SignedOut />
    )}
  </StrictMode>,
);
