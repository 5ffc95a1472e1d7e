/**
 * Topic checks bare aedes 1.2 gets wrong (its `validateTopic` accepts `a+`, `+a` and `a#`
 * because of off-by-one index checks, and nothing rejects U+0000).
 */

/** [MQTT-4.7.3-2] Topic names and filters MUST NOT include the null character. */
export function hasNullChar(topic: string): boolean {
  return topic.includes('\u0000');
}

/**
 * [MQTT-4.7.1-2] `#` must stand alone as the last level; [MQTT-4.7.1-3] `+` must occupy a
 * whole level; [MQTT-4.7.3-1] a filter is at least one character.
 */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || hasNullChar(filter)) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}
