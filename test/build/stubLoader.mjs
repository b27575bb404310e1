// Module hook: `electron` resolves to the recording stub beside this file.
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: new URL('./electronStub.mjs', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
