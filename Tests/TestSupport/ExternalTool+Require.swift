import XCTest

extension ExternalTool {
    /// Returns when every tool in `names` is on PATH. Otherwise fails under CI (the tool must
    /// be installed there: `install` says how) and skips with a visible message elsewhere.
    public static func require(_ names: [String], install: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let missing = names.filter { find($0) == nil }
        guard !missing.isEmpty else { return }
        let message = "\(missing.joined(separator: ", ")) not found on PATH (\(install))"
        if isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip("failed: " + message)
        }
        print("SKIPPING interop check: " + message)
        throw XCTSkip(message)
    }
}
