/**
 * Topic name rules, as Kafka's `org.apache.kafka.common.internals.Topic.validate` checks
 * them: 1 to 249 characters from [a-zA-Z0-9._-], and not "." or "..".
 *
 * Why 249: a partition's directory is `<topic>-<partition>` and, while a deletion is in
 * progress, `<topic>-<partition>.<32 hex>-delete`; 249 keeps that under the 255-byte file
 * name limit of common file systems. Why not "." and "..": they name directories already.
 * (Kafka also warns, without refusing, about names that collide once '.' is mapped to '_'
 * in metric names; we do not have such metrics, so we do not warn.)
 */
export const TOPIC_NAME_LENGTH_MAX = 249;

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name, or undefined when it is. */
export function topicNameError(name: string | null): string | undefined {
  if (name === null || name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return `topic name is ${name.length} characters long; the maximum is ${TOPIC_NAME_LENGTH_MAX}`;
  }
  if (!LEGAL.test(name)) {
    return (
      `topic name "${name}" is illegal: ` +
      "only ASCII letters, digits, '.', '_' and '-' are allowed"
    );
  }
  return undefined;
}
