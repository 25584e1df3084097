export { main } from './main';
export * from './train';
