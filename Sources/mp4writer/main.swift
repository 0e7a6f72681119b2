import Foundation
import MP4Finalizer

// mp4writer: turns NAME.mp4.{info,mdat,trackN} into a fast-start NAME.mp4.
// Thin: parse arguments, call MP4Finalizer, render the result, map errors to exit codes.

let arguments = Array(CommandLine.arguments.dropFirst())
let command: MP4WriterCommand
do {
    command = try MP4WriterCommand(parsing: arguments)
} catch {
    FileHandle.standardError.write(Data("mp4writer: \(error)\n\(MP4WriterCommand.usageLine)\n".utf8))
    exit(ExitCode.usage.rawValue)
}
exit(command.run().rawValue)
