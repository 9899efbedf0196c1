import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];
type ValidationMetadata = ReturnType<Lookup>[number];

const keptOn = new WeakSet<Storage>();

/**
 * class-validator looks up a class's rules on every object it validates, and the look-up walks
 * every class with rules (hundreds here: every DTO) to find the ones it inherits from — for a
 * draft, once for the body and once per line, twice (the ValidationPipe's own check of nested
 * values asks too). The rules are fixed once the classes are loaded, so the answer is kept per
 * class and options, and forgotten whenever a rule is added (a class loaded later, a schema
 * registered): the same rules as asked fresh, not a copy that could go stale. The kept lists are
 * frozen, so a caller that changed one would fail loudly rather than change the next answer.
 */
export function keepValidationMetadata(storage: Storage = getMetadataStorage()): void {
  if (keptOn.has(storage)) return;
  keptOn.add(storage);
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let kept = new Map<unknown, Map<string, ValidationMetadata[]>>();
  storage.addValidationMetadata = (metadata: ValidationMetadata) => {
    kept = new Map();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    let byOptions = kept.get(targetConstructor);
    if (!byOptions) kept.set(targetConstructor, (byOptions = new Map()));
    const key = JSON.stringify([targetSchema ?? null, always, strictGroups, groups ?? null]);
    let metadatas = byOptions.get(key);
    if (!metadatas) {
      metadatas = Object.freeze(lookup(targetConstructor, targetSchema, always, strictGroups, groups)) as ValidationMetadata[];
      byOptions.set(key, metadatas);
    }
    return metadatas;
  };
}
