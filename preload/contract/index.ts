export * from './dto.js';
export * from './errors.js';
export * from './methods.js';
