#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import MediaCore
import MP4Finalizer

// mp4writer: turns NAME.mp4.{info,mdat,trackN} into a fast-start NAME.mp4.
// Thin: parse arguments, call MP4Finalizer, render the result, map errors to exit codes.
// No Foundation: the recorder starts one per chunk, and statically linked Foundation (with
// its ICU data) made most of the binary's size and of its start-up (docs/benchmarks.md).

let arguments = Array(CommandLine.arguments.dropFirst())
let command: MP4WriterCommand
do {
    command = try MP4WriterCommand(parsing: arguments)
} catch {
    writeToStandardError("mp4writer: \(error)\n\(MP4WriterCommand.usageLine)\n")
    exit(ExitCode.usage.rawValue)
}
exit(command.run().rawValue)
