// class-transformer's metadata storage: its CommonJS module has no types of its own beside it.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
