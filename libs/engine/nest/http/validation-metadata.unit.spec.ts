import { IsInt, IsString, MetadataStorage, Min, ValidationTypes } from 'class-validator';
import { keepValidationMetadata } from './validation-metadata.js';

type Rule = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** A rule on `target.property`, as a decorator registers it (the fields the look-up reads). */
function rule(target: abstract new () => object, propertyName: string, name: string): Rule {
  return { type: ValidationTypes.CUSTOM_VALIDATION, name, target, propertyName, constraints: [], groups: [], each: false, context: undefined } as unknown as Rule;
}

describe('the validation rules kept per class (class-validator asks for them on every object it validates)', () => {
  class Line {}
  class LagLine extends Line {}

  it('answers the same rules as a fresh look-up, inherited ones included, and a rule added later is in the next answer', () => {
    const kept = new MetadataStorage();
    const fresh = new MetadataStorage();
    for (const storage of [kept, fresh]) {
      storage.addValidationMetadata(rule(Line, 'value', 'isNumber'));
      storage.addValidationMetadata(rule(LagLine, 'analysis', 'isString'));
    }
    keepValidationMetadata(kept);
    const names = (storage: MetadataStorage, target: abstract new () => object, groups?: string[]) =>
      storage.getTargetValidationMetadatas(target, '', false, false, groups).map((m) => `${m.propertyName}:${m.name}`);

    expect(names(kept, LagLine)).toEqual(['analysis:isString', 'value:isNumber']);
    expect(names(kept, LagLine)).toEqual(names(fresh, LagLine));
    expect(names(kept, Line)).toEqual(names(fresh, Line));
    expect(kept.getTargetValidationMetadatas(Line, '', false, false)).toBe(kept.getTargetValidationMetadatas(Line, '', false, false));
    expect(Object.isFrozen(kept.getTargetValidationMetadatas(Line, '', false, false))).toBe(true);

    // A rule added on the parent after both were asked for: both answers have it.
    for (const storage of [kept, fresh]) storage.addValidationMetadata(rule(Line, 'rank', 'min'));
    expect(names(kept, Line)).toEqual(['value:isNumber', 'rank:min']);
    expect(names(kept, LagLine)).toEqual(names(fresh, LagLine));
    expect(names(kept, LagLine)).toContain('rank:min');
    // Options are part of the question: a group asked for is not answered with the ungrouped rules.
    expect(names(kept, Line, ['admin'])).toEqual(names(fresh, Line, ['admin']));
  });

  it('validates real decorated classes the same after keeping the global storage', async () => {
    const { validate } = await import('class-validator');
    class Body {
      @IsInt() @Min(1) no!: number;
      @IsString() text!: string;
    }
    const errorsOf = async (value: object) => (await validate(Object.assign(new Body(), value))).map((e) => e.property).sort();
    const before = [await errorsOf({ no: 0, text: 1 }), await errorsOf({ no: 2, text: 'x' })];
    keepValidationMetadata();
    expect([await errorsOf({ no: 0, text: 1 }), await errorsOf({ no: 2, text: 'x' })]).toEqual(before);
    expect(before).toEqual([['no', 'text'], []]);
    // A class whose rules are registered after the storage is kept is validated by them.
    class Later {
      @IsInt() n!: number;
    }
    expect((await validate(Object.assign(new Later(), { n: 'x' }))).map((e) => e.property)).toEqual(['n']);
  });
});
