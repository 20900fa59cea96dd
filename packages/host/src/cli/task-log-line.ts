import { TASK_LOG_LIMITS } from '@tessera/core'
import type { TaskLog } from '@tessera/runtime'

/**
 * A task's console line as `tessera run` prints it on stderr, one printed line
 * per line of text, each prefixed with its task: `[pi #12 warn] text`. The
 * donor is left out (it is in `onLog` for whoever wants it); the text arrives
 * with control characters already replaced.
 */
export function formatTaskLog(label: string, line: TaskLog): string[] {
  const stream = line.stream === 'log' ? '' : ` ${line.stream}`
  const prefix = `[${label} #${line.index}${stream}]`
  const texts = line.text.split('\n').map((text) => `${prefix} ${text}`)
  if (line.truncated) texts.push(`${prefix} (output cut: a task keeps at most ${TASK_LOG_LIMITS.lines} lines, ${TASK_LOG_LIMITS.totalChars} characters)`)
  return texts
}
