import Foundation
import MediaCore
import Recorder

// recorder: the live-stream recorder. Thin: parse the command line, call the Recorder
// library, print its answers, map failures to exit codes.
//
//   recorder [serve] [--http-port N ...]     the server on embedded defaults (--help lists them)
//   recorder record --input SOURCE localStreamName=NAME pathToFile=PATH [type=mp4|flv|ts]
//            [chunkLength=N] [waitForIDR=0|1] [overwrite=0|1] [dateFolderStructure=0|1]
//            [winQtCompat=0|1] [keepAlive=0|1] [--staging-only] [--silence SECONDS]
//       SOURCE: an .flv, .ts or .mp4 file, udp://HOST:PORT or tcp://HOST:PORT (MPEG-TS, we listen)
//   recorder stage --input CLIP.mp4 --output FILE.mp4 [--loop N]

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("recorder: \(message)\n".utf8))
    exit(code)
}

func log(_ line: String) {
    let stamp = ISO8601DateFormatter().string(from: Date())
    FileHandle.standardError.write(Data("\(stamp) \(line)\n".utf8))
}

var args = Array(CommandLine.arguments.dropFirst())
let sub = args.first.map { $0.hasPrefix("-") ? "serve" : $0 } ?? "serve"
if !args.isEmpty && !args[0].hasPrefix("-") { args.removeFirst() }

/// `--name value` / `--name=value` flags; bare `key=value` words go to `pairs`.
func parseFlags(_ args: [String], booleans: Set<String> = []) -> (flags: [String: String], pairs: [(String, String)]) {
    var flags: [String: String] = [:]
    var pairs: [(String, String)] = []
    var i = 0
    while i < args.count {
        let a = args[i]
        if a.hasPrefix("--") {
            if let eq = a.firstIndex(of: "=") {
                flags[String(a[a.index(a.startIndex, offsetBy: 2)..<eq])] = String(a[a.index(after: eq)...])
            } else if booleans.contains(String(a.dropFirst(2))) {
                flags[String(a.dropFirst(2))] = "1"
            } else if i + 1 < args.count {
                flags[String(a.dropFirst(2))] = args[i + 1]
                i += 1
            } else {
                fail("\(a) needs a value")
            }
        } else if let eq = a.firstIndex(of: "=") {
            pairs.append((String(a[..<eq]), String(a[a.index(after: eq)...])))
        } else {
            fail("unexpected argument '\(a)'")
        }
        i += 1
    }
    return (flags, pairs)
}

switch sub {
case "serve":
    let configuration: ServerConfiguration
    do {
        switch try ServerConfiguration.parse(arguments: args, executablePath: MP4WriterLocation.runningExecutable()) {
        case .help(let text):
            print(text)
            exit(0)
        case .run(let c):
            configuration = c
        }
    } catch {
        fail("\(error)")
    }
    do {
        try RecorderServer(configuration: configuration, log: log).runUntilShutdown()
    } catch {
        fail("\(error)", code: 1)
    }
case "record":
    let (flags, pairs) = parseFlags(args, booleans: ["staging-only"])
    guard let input = flags["input"] else { fail("record needs --input SOURCE (an .flv, .ts or .mp4 file, udp://HOST:PORT or tcp://HOST:PORT)") }
    do {
        let parameters = try RecordParameters(pairs: pairs)
        let resolved = PathPolicy.normalize(parameters.pathToFile, relativeTo: FileManager.default.currentDirectoryPath)
        var recording = OneShotRecording(parameters: parameters, resolvedPath: resolved, input: try StreamInput(parsing: input))
        recording.stagingOnly = flags["staging-only"] != nil
        if let s = flags["silence"], let seconds = Double(s) { recording.silence = seconds }
        print(CommandAnswer.success("Recording Stream", data: recording.answerSnapshot.recordAnswerData).text)
        recording.onListening = { port in log("listening on port \(port)") }
        let outcome = try recording.run(onEvent: { event in log("\(event)") })
        for chunk in outcome.chunks {
            print(String(format: "%@: %.3f s, %llu bytes of media", chunk.path, chunk.durationSeconds, chunk.payloadBytes))
        }
        for problem in outcome.inputProblems { print("input: \(problem)") }
        for track in outcome.notRecorded { print("not recorded: \(track)") }
        for jump in outcome.discontinuities {
            print(String(format: "input: track %u timestamps jumped (%@) from %.3f s to %.3f s; continued with %+.3f s",
                         jump.trackID, jump.cause.rawValue, jump.expectedSeconds, jump.foundSeconds, jump.offsetSeconds))
        }
        if outcome.droppedFrames > 0 { print("\(outcome.droppedFrames) frame(s) not recorded (before the first keyframe, or out of order)") }
        for error in outcome.errors { FileHandle.standardError.write(Data("recorder: \(error)\n".utf8)) }
        exit(outcome.errors.isEmpty ? 0 : 1)
    } catch let error as RecordParameterError {
        print(CommandAnswer.fail(error.description).text)
        exit(2)
    } catch {
        fail("\(error)", code: 1)
    }
case "stage":
    let (flags, _) = parseFlags(args)
    guard let input = flags["input"], let output = flags["output"] else {
        fail("usage: recorder stage --input CLIP.mp4 --output FILE.mp4 [--loop N]")
    }
    do {
        let source = try MP4FileSource(path: input)
        let n = try source.writeStagingSet(output: output, loops: Int(flags["loop"] ?? "") ?? 1)
        print("staged \(n) samples of \(source.tracks.count) track(s) from \(input) as \(output).{info,mdat,track*}")
    } catch {
        fail("\(error)", code: 1)
    }
case "help", "--help", "-h":
    print("usage: recorder [serve] [options] | record --input SOURCE key=value... | stage ...  (recorder serve --help)")
default:
    fail("unknown command '\(sub)' (serve, record, stage)")
}
