// What the browser build gets for @bufbuild/protovalidate/gen/buf/validate/validate_pb.js (an alias in
// vite.config.ts): the descriptor of buf/validate/validate.proto reduced to its name and package.
//
// The generated code of every miasta proto names that file as an import, only because the protos
// carry validation rules as field options; none of their messages uses a type of it. The real
// descriptor is 85 kB of script, which made up an eighth of the app's first download, and the browser
// never validates a request (the server does, with the same rules). The rules themselves stay in the
// miasta descriptors, as the options' unknown fields: a validator loaded later, e.g.
// `await import("@bufbuild/protovalidate")`, brings the real descriptor with it and reads them
// (validate_pb.test.ts shows it).
import type { GenFile } from "@bufbuild/protobuf/codegenv2";
import { fileDesc } from "@bufbuild/protobuf/codegenv2";

/** The file buf/validate/validate.proto: its name and package, without its messages. */
export const file_buf_validate_validate: GenFile = /*@__PURE__*/ fileDesc(
  "ChtidWYvdmFsaWRhdGUvdmFsaWRhdGUucHJvdG8SDGJ1Zi52YWxpZGF0ZWIGcHJvdG8y",
);
