// The engine a run drives: the one the stack runs unless --engine names it, with its endpoints
// from the stack outputs.
import { EngineName } from "../../config/defaults";
import { ClusterOutputs } from "../../stacks/outputs";
import { ArroyoEngine } from "./arroyo";
import { StreamEngine } from "./engine";
import { FlinkEngine } from "./flink";

export type { StreamEngine };

/** The engine for a run; a clear error when the stack does not run the one asked for. */
export function engineFor(outputs: ClusterOutputs, name: EngineName = outputs.engine): StreamEngine {
    if (name !== outputs.engine)
        throw new Error(
            `--engine ${name}: stack '${outputs.stack}' runs ${outputs.engine}; set 'pulumi config set engine ${name}' and 'npm run up' first, or leave --engine out`,
        );
    if (name === "arroyo") return new ArroyoEngine(arroyoApiUrlOf(outputs, "the benchmark"));
    if (!outputs.flinkRestUrl || !outputs.flinkSqlGatewayUrl)
        throw new Error(
            `stack '${outputs.stack}' runs Flink but exports no flinkRestUrl or flinkSqlGatewayUrl: run 'npm run up' to update it`,
        );
    return new FlinkEngine(outputs.flinkRestUrl, outputs.flinkSqlGatewayUrl);
}

/** Arroyo's API, for what only Arroyo has (its built-in Nexmark source, `npm run metrics`). */
export function arroyoApiUrlOf(outputs: ClusterOutputs, what: string): string {
    if (outputs.engine !== "arroyo" || !outputs.arroyoApiUrl)
        throw new Error(`${what} needs Arroyo, and stack '${outputs.stack}' runs ${outputs.engine}`);
    return outputs.arroyoApiUrl;
}
