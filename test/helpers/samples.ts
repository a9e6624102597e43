// Hand-made samples for the figures' unit tests.
import { ProgressPoint } from "../../benchmark/kafka/progress";
import { JobSample } from "../../benchmark/report/types";

/** A progress point with input, consumed and output as given; lag is input - consumed. */
export const progressPoint = (time: number, input: number, consumed: number, output = 0): ProgressPoint => ({
    time,
    input,
    consumed,
    lag: input - consumed,
    output,
});

/** A job sample: the engine's state word, its attempt counter and failure message. */
export const jobSample = (
    time: number,
    state: string | null,
    runId: number | null,
    failure: string | null = null,
): JobSample => ({ time, state, runId, failure });
