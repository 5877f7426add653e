/**
 * Value sets: named lists of codes per code system, the TypeScript form of the kit's `ValueSet`
 * classes (`VALUE_SET_NAME`, `ICD10CM = {...}`, `SNOMEDCT = {...}`), combined with `or` / `union`
 * as the kit combines them with `|`, and matched against records' `coding[] {system, code}`.
 */

/** The kit's code system names (the attributes of its `ValueSet` classes). */
export const CODE_SYSTEMS = [
  'ICD10CM',
  'ICD10PCS',
  'SNOMEDCT',
  'LOINC',
  'RXNORM',
  'CPT',
  'HCPCS',
  'CVX',
  'FDB',
  'NDC',
  'NUCC',
  'CANVAS',
  'INTERNAL',
] as const;
export type CodeSystem = (typeof CODE_SYSTEMS)[number];

/** The `system` URLs Canvas writes in a coding (the kit's `URL_*` constants). */
export const SYSTEM_URLS = {
  ICD10: 'ICD-10',
  SNOMEDCT: 'http://snomed.info/sct',
  LOINC: 'http://loinc.org',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  CPT: 'http://www.ama-assn.org/go/cpt',
  HCPCS: 'https://coder.aapc.com/hcpcs-codes',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  FDB: 'http://www.fdbhealth.com/',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  NUCC: 'http://www.nucc.org/',
  CANVAS: 'CANVAS',
  INTERNAL: 'INTERNAL',
} as const;

/**
 * A coding's `system` spelling (lowercased, trimmed) to the code systems it stands for. Canvas's
 * own URLs first, then the FHIR and plain spellings other producers write. Canvas writes `ICD-10`
 * for both ICD-10-CM and ICD-10-PCS, and its CPT URL for HCPCS Level II codes too, as the kit maps.
 */
const SYSTEM_ALIASES: Readonly<Record<string, readonly CodeSystem[]>> = {
  'icd-10': ['ICD10CM', 'ICD10PCS'],
  icd10: ['ICD10CM', 'ICD10PCS'],
  'icd-10-cm': ['ICD10CM'],
  icd10cm: ['ICD10CM'],
  'http://hl7.org/fhir/sid/icd-10-cm': ['ICD10CM'],
  'http://hl7.org/fhir/sid/icd-10': ['ICD10CM'],
  'icd-10-pcs': ['ICD10PCS'],
  icd10pcs: ['ICD10PCS'],
  'http://www.cms.gov/medicare/coding/icd10': ['ICD10PCS'],
  'http://snomed.info/sct': ['SNOMEDCT'],
  snomedct: ['SNOMEDCT'],
  snomed: ['SNOMEDCT'],
  'snomed ct': ['SNOMEDCT'],
  'http://loinc.org': ['LOINC'],
  loinc: ['LOINC'],
  'http://www.nlm.nih.gov/research/umls/rxnorm': ['RXNORM'],
  rxnorm: ['RXNORM'],
  'http://www.ama-assn.org/go/cpt': ['CPT', 'HCPCS'],
  cpt: ['CPT'],
  'https://coder.aapc.com/hcpcs-codes': ['HCPCS'],
  'http://www.cms.gov/medicare/coding/hcpcsreleasecodesets': ['HCPCS'],
  'https://www.cms.gov/medicare/coding/hcpcsreleasecodesets': ['HCPCS'],
  hcpcs: ['HCPCS'],
  'http://hl7.org/fhir/sid/cvx': ['CVX'],
  cvx: ['CVX'],
  'http://www.fdbhealth.com/': ['FDB'],
  fdb: ['FDB'],
  'http://hl7.org/fhir/sid/ndc': ['NDC'],
  ndc: ['NDC'],
  'http://www.nucc.org/': ['NUCC'],
  nucc: ['NUCC'],
  canvas: ['CANVAS'],
  internal: ['INTERNAL'],
};

/** The code systems a coding's `system` stands for; empty for one we do not know. */
export function codeSystemsOf(system: unknown): readonly CodeSystem[] {
  if (typeof system !== 'string') return [];
  return SYSTEM_ALIASES[system.trim().toLowerCase()] ?? [];
}

/**
 * A code as compared: trimmed; ICD-10 without its dot and in capitals (Canvas writes `E119`,
 * other producers `E11.9`); CPT and HCPCS in capitals; others exact.
 */
export function normalizeCode(system: CodeSystem, code: string): string {
  const trimmed = code.trim();
  switch (system) {
    case 'ICD10CM':
    case 'ICD10PCS':
      return trimmed.replace('.', '').toUpperCase();
    case 'CPT':
    case 'HCPCS':
      return trimmed.toUpperCase();
    default:
      return trimmed;
  }
}

/** A coding as records carry it. */
export interface CodingLike {
  system?: unknown;
  code?: unknown;
}

/** The codes of a value set, per code system. */
export type ValueSetCodes = Partial<Record<CodeSystem, readonly string[]>>;

export interface ValueSetDefinition extends ValueSetCodes {
  /** The kit's `VALUE_SET_NAME`. */
  name: string;
  /** Where the codes come from, e.g. `VSAC 2.16.840.1.113883.3.464.1003.103.12.1001 Diabetes`. */
  source?: string;
  /** The value set's OID, when it has one. */
  oid?: string;
}

/** An immutable value set. Build one with `ValueSet.define`; combine with `or` / `union`. */
export class ValueSet {
  readonly name: string;
  readonly source: string | undefined;
  readonly oid: string | undefined;
  readonly #codes: ReadonlyMap<CodeSystem, ReadonlySet<string>>;

  private constructor(
    name: string,
    source: string | undefined,
    oid: string | undefined,
    codes: Map<CodeSystem, Set<string>>,
  ) {
    this.name = name;
    this.source = source;
    this.oid = oid;
    this.#codes = codes;
  }

  /** `ValueSet.define({ name: 'Diabetes', source: '...', ICD10CM: ['E109', ...], SNOMEDCT: [...] })`. */
  static define(definition: ValueSetDefinition): ValueSet {
    if (typeof definition.name !== 'string' || definition.name.trim() === '')
      throw new TypeError('ValueSet.define: name must not be empty');
    const codes = new Map<CodeSystem, Set<string>>();
    for (const [key, list] of Object.entries(definition)) {
      if (key === 'name' || key === 'source' || key === 'oid') continue;
      if (!(CODE_SYSTEMS as readonly string[]).includes(key))
        throw new TypeError(
          `ValueSet.define: ${definition.name}: unknown code system (expected one of ${CODE_SYSTEMS.join(', ')})`,
        );
      if (!Array.isArray(list) || list.some((code) => typeof code !== 'string'))
        throw new TypeError(`ValueSet.define: ${definition.name}.${key}: must be a list of codes`);
      const system = key as CodeSystem;
      codes.set(system, new Set(list.map((code: string) => normalizeCode(system, code))));
    }
    return new ValueSet(definition.name, definition.source, definition.oid, codes);
  }

  /** The union of several value sets (the kit's `A | B | C`). */
  static union(...sets: readonly ValueSet[]): ValueSet {
    const [first, ...rest] = sets;
    if (!first) throw new TypeError('ValueSet.union: needs at least one value set');
    return rest.reduce((acc, set) => acc.or(set), first);
  }

  /** This value set or the other (the kit's `|`): every code of both, per system. */
  or(other: ValueSet): ValueSet {
    const codes = new Map<CodeSystem, Set<string>>();
    for (const set of [this, other]) {
      for (const [system, list] of set.#codes) {
        const target = codes.get(system) ?? new Set<string>();
        for (const code of list) target.add(code);
        codes.set(system, target);
      }
    }
    return new ValueSet(`${this.name} | ${other.name}`, undefined, undefined, codes);
  }

  /** The code systems it lists codes for. */
  get systems(): CodeSystem[] {
    return [...this.#codes.keys()];
  }

  /** Its codes in one system (normalized: ICD-10 without dots). */
  codes(system: CodeSystem): string[] {
    return [...(this.#codes.get(system) ?? [])];
  }

  /** Whether the code (in any spelling `normalizeCode` accepts) is in the system's list. */
  has(system: CodeSystem, code: string): boolean {
    return this.#codes.get(system)?.has(normalizeCode(system, code)) ?? false;
  }

  /**
   * Whether a coding `{system, code}` is in the set: its system spelling is one Canvas writes (or
   * a FHIR / plain alias), and its code is listed for that system. `systems` restricts the match
   * to the code systems a collection's records use (the kit's `VALID_SYSTEMS`).
   */
  matches(coding: CodingLike | null | undefined, systems?: readonly CodeSystem[]): boolean {
    if (typeof coding !== 'object' || coding === null) return false;
    const { code } = coding;
    if (typeof code !== 'string' && typeof code !== 'number') return false;
    for (const system of codeSystemsOf(coding.system)) {
      if (systems && !systems.includes(system)) continue;
      const list = this.#codes.get(system);
      if (list?.has(normalizeCode(system, String(code)))) return true;
    }
    return false;
  }

  /** Whether any of the codings matches. */
  matchesAny(
    codings: Iterable<CodingLike> | null | undefined,
    systems?: readonly CodeSystem[],
  ): boolean {
    if (!codings) return false;
    for (const coding of codings) if (this.matches(coding, systems)) return true;
    return false;
  }

  toString(): string {
    return `ValueSet(${this.name})`;
  }
}
