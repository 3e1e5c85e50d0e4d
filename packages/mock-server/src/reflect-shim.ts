/**
 * The few `Reflect` metadata functions tsyringe (used by `@peculiar/x509`)
 * insists on at import time. Installed only when no polyfill such as
 * reflect-metadata is present, so a real one always wins. Import this module
 * before `@peculiar/x509`.
 */
type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<PropertyKey | undefined, MetadataMap>>();

function own(target: object, property: PropertyKey | undefined, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect['getMetadata'] !== 'function') {
  reflect['defineMetadata'] = (key: unknown, value: unknown, target: object, property?: PropertyKey) => {
    own(target, property, true)!.set(key, value);
  };
  reflect['getOwnMetadata'] = (key: unknown, target: object, property?: PropertyKey) => own(target, property, false)?.get(key);
  reflect['getMetadata'] = (key: unknown, target: object, property?: PropertyKey) => {
    // Walk the prototype chain like reflect-metadata does.
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const map = own(t, property, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  reflect['hasMetadata'] = (key: unknown, target: object, property?: PropertyKey) =>
    (reflect['getMetadata'] as (k: unknown, t: object, p?: PropertyKey) => unknown)(key, target, property) !== undefined;
  reflect['metadata'] = (key: unknown, value: unknown) => (target: object, property?: PropertyKey) => {
    own(target, property, true)!.set(key, value);
  };
}

export {};
