import * as v from 'valibot'
import { TASK_LOG_LIMITS } from '../pure/task-logs.ts'

/**
 * A report's console output as a peer may write it: the caps the executors
 * keep (`TASK_LOG_LIMITS`), checked again here because any peer can write any
 * report. The text is still hostile: whoever shows it strips control characters.
 */
export const taskLogsSchema = v.object({
  lines: v.pipe(
    v.array(v.object({ stream: v.picklist(['log', 'warn', 'error']), text: v.pipe(v.string(), v.maxLength(TASK_LOG_LIMITS.lineChars)) })),
    v.maxLength(TASK_LOG_LIMITS.lines),
    v.check((lines) => lines.reduce((sum, line) => sum + line.text.length, 0) <= TASK_LOG_LIMITS.totalChars, 'too much output'),
  ),
  truncated: v.boolean(),
})
