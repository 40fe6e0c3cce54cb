// The MLproject model (environment kinds and the zod schemas of a read project), without the YAML reader, so the API
// contract can name it without loading a YAML parser (issue 13).
import { z } from 'zod';

/** The environment kinds an MLproject can declare. */
export const PROJECT_ENV_KINDS = ['python_env', 'conda_env', 'docker_env', 'none'] as const;

/** One declared parameter: its type (any text; MLflow acts only on `path` and `uri`) and its default as Python's str(), null when required. */
export const MlprojectParameterSchema = z.object({
  name: z.string(),
  type: z.string(),
  default: z.string().nullable(),
});
/** One declared parameter. */
export type MlprojectParameter = z.infer<typeof MlprojectParameterSchema>;

/** One entry point: its declared parameters (in file order) and its command template. */
export const MlprojectEntryPointSchema = z.object({
  name: z.string(),
  parameters: z.array(MlprojectParameterSchema),
  command: z.string(),
});
/** One entry point. */
export type MlprojectEntryPoint = z.infer<typeof MlprojectEntryPointSchema>;

/** An MLproject as MLflow reads it; `env.file` is relative to the project folder. */
export const MlprojectSchema = z.object({
  name: z.string().nullable(),
  /** The MLproject file's name as found (case varies), or null when the folder has none. */
  fileName: z.string().nullable(),
  entryPoints: z.array(MlprojectEntryPointSchema),
  env: z.object({
    kind: z.enum(PROJECT_ENV_KINDS),
    /** The python_env or conda file, relative to the project. */
    file: z.string().nullable(),
    /** Whether the env came from MLflow's default file detection (python_env.yaml, then conda.yaml). */
    detected: z.boolean(),
    docker: z
      .object({
        image: z.string(),
        volumes: z.array(z.string()),
        environment: z.array(z.union([z.string(), z.array(z.string())])),
      })
      .nullable(),
  }),
});
/** An MLproject as MLflow reads it. */
export type Mlproject = z.infer<typeof MlprojectSchema>;
