import Foundation

/// Where the repository's test fixtures and sample sets live, found from this file's path so
/// that tests run from any working directory of a clone.
public enum TestPaths {
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var fixtures: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures") }
    public static var sampleStaging: URL { repositoryRoot.appendingPathComponent("SampleStaging") }

    /// A fixture by its path under Tests/Fixtures, e.g. "mp4/h264_aac.mp4".
    public static func fixture(_ relativePath: String) -> String {
        fixtures.appendingPathComponent(relativePath).path
    }

    /// A fresh empty folder under the system's temporary directory.
    public static func temporaryDirectory(_ label: String = "test") -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sr-\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

extension TestPaths {
    /// Names the folder of the executables to test; scripts/test.sh sets it to
    /// `swift build --show-bin-path` of the build it just made.
    public static let binDirectoryVariable = "RECORDER_BIN_DIR"

    /// The folder holding the executables (mp4writer, recorder, synthwriter) of this build:
    /// $RECORDER_BIN_DIR when set, else the folder of the running test bundle, which `swift
    /// test` builds into the same folder as the executables. Never a guessed `.build/debug`:
    /// a release test run must not pick up a stale debug binary.
    public static let productsDirectory: String = {
        if let named = ProcessInfo.processInfo.environment[binDirectoryVariable], !named.isEmpty { return named }
        // /proc/self/exe is the test runner as the kernel started it (argv[0] may be relative).
        let runner = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        // Linux: `<bin>/<Package>PackageTests.xctest` is the runner itself; macOS: the runner
        // is inside the bundle (`<bin>/X.xctest/Contents/MacOS/X`), and xctest runs it.
        var bundle = runner
        while bundle.pathExtension != "xctest" && bundle.pathComponents.count > 1 { bundle.deleteLastPathComponent() }
        return (bundle.pathExtension == "xctest" ? bundle : runner).deletingLastPathComponent().path
    }()

    /// The built executable `name`; stops the test run with a message when it is not there,
    /// since every test that runs it would otherwise fail for a reason it cannot name.
    public static func executable(_ name: String) -> String {
        let path = productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            fatalError("\(name) is not built at \(path) (\(binDirectoryVariable)="
                + "\(ProcessInfo.processInfo.environment[binDirectoryVariable] ?? "unset")): run `swift build --build-tests` "
                + "before `swift test --skip-build`, or set \(binDirectoryVariable) to `swift build --show-bin-path`")
        }
        return path
    }
}

extension TestPaths {
    /// Copies the staging set of `output` (its .info, .mdat and track files) to `target`.
    public static func copyStagingSet(_ output: String, to target: String) throws {
        let suffixes = [".info", ".mdat"] + (1...8).map { ".track\($0)" }
        for suffix in suffixes where FileManager.default.fileExists(atPath: output + suffix) {
            try FileManager.default.copyItem(atPath: output + suffix, toPath: target + suffix)
        }
    }
}

/// SplitMix64: a small deterministic generator, the same on every platform, so that mutation
/// runs and random trials replay exactly from their seed.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
