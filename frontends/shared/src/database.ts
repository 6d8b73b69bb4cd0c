// The API as postgrest-js sees it, derived from the generated OpenAPI types (api-types.gen.ts):
// a column renamed or removed in dbt changes that file (`npm run gen:api-types`, checked by the test
// suite against the live API) and every query that names it stops compiling (`npm run typecheck`).
import type { definitions, paths } from "./api-types.gen";

/** Every column of a view may be null (views carry no NOT NULL), and every column is there. */
type Row<T> = { [K in keyof T]-?: T[K] | null };

type RpcPath = Extract<keyof paths, `/rpc/${string}`>;
type RpcName<P> = P extends `/rpc/${infer Name}` ? Name : never;
type Args<P extends RpcPath> = paths[P] extends { post: { parameters: { body: { args: infer A } } } }
  ? A
  : Record<string, never>;

export interface LoginResult {
  token: string;
  username: string;
  role: string;
  employee_id: string | null;
  expires_at: string;
}

/** What the RPCs return (jsonb in SQL, so the document cannot say): written here, by hand. */
interface Returns {
  login: LoginResult;
  register_punch: { punch_id: number; employee_id: string; punched_at: string; status: string; source: string };
  include_punch: { punch_id: number; employee_id: string; punched_at: string; status: string; reason: string };
  disregard_punch: { punch_id: number; employee_id: string; status: string; reason: string };
  confirm_jornada: { punch_id: number; employee_id: string; status: string; reason: string };
}

export interface Database {
  api: {
    Tables: { [_ in never]: never };
    Views: { [K in keyof definitions]: { Row: Row<definitions[K]>; Relationships: [] } };
    Functions: {
      [P in RpcPath as RpcName<P>]: {
        Args: Args<P>;
        Returns: RpcName<P> extends keyof Returns ? Returns[RpcName<P>] : unknown;
      };
    };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
}

export type Resource = keyof definitions;
export type RowOf<R extends Resource> = Row<definitions[R]>;
