/**
 * What jsdom lacks and uPlot needs, installed on import (import this first): matchMedia (uPlot
 * watches the pixel ratio through it when its module loads) and Path2D. The 2D canvas context
 * itself is stubbed per test (see metrics-page.test.tsx), so the chart's no-canvas guard stays testable.
 */
const mediaQueryList = (media: string) => ({
  matches: false,
  media,
  onchange: null,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
  addListener: () => undefined,
  removeListener: () => undefined,
  dispatchEvent: () => false,
});

if (typeof window !== 'undefined' && typeof window.matchMedia !== 'function') {
  Object.assign(window, { matchMedia: mediaQueryList });
}

if (typeof (globalThis as { Path2D?: unknown }).Path2D === 'undefined') {
  Object.assign(globalThis, {
    Path2D: class {
      moveTo() {}
      lineTo() {}
      rect() {}
      arc() {}
      closePath() {}
      bezierCurveTo() {}
      quadraticCurveTo() {}
      addPath() {}
    },
  });
}

export {};
