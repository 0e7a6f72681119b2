import MediaCore

/// Writes `text` to standard error (a message lost there has nowhere better to go).
func writeToStandardError(_ text: String) {
    try? FileDescriptor.standardError.writeAll(Array(text.utf8))
}
