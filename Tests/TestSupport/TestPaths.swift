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
    /// The folder holding the built executables (mp4writer, recorder) of this build.
    public static var productsDirectory: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // On Linux the test runner is `.build/<config>/<Package>PackageTests.xctest`.
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("mp4writer").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug").path
    }

    public static func executable(_ name: String) -> String {
        productsDirectory + "/" + name
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
