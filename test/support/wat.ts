// WAT -> wasm at test time with the wabt npm package.
import wabtInit from 'wabt';

let wabtPromise: ReturnType<typeof wabtInit> | null = null;

export async function wat2wasm(text: string, name = 'module.wat'): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat(name, text, { exceptions: true, bulk_memory: true, multi_value: true });
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
