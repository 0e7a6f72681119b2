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
