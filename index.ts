// Entry point for `pulumi up`: the program lives in stacks/program.ts. An async program: the
// hosts are checked (preflight) before any resource is declared; its outputs are the stack's.
import { clusterProgram } from "./stacks/program";

export = async () => clusterProgram();
