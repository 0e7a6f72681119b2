/// `RecordParameters` back to the forms they are parsed from.
extension RecordParameters {
    /// Every parameter as a `key=value` pair in the seed's spelling; `init(pairs:)` of these
    /// gives the same parameters back.
    public var pairs: [(String, String)] {
        let retention = [("retentionAge", retentionAge), ("retentionBytes", retentionBytes)].compactMap { key, value in
            value.map { (key, String($0)) }
        }
        return [
            ("localStreamName", localStreamName),
            ("pathToFile", pathToFile),
            ("type", type.rawValue),
            ("overwrite", overwrite ? "1" : "0"),
            ("keepAlive", keepAlive ? "1" : "0"),
            ("chunkLength", String(chunkLength)),
            ("waitForIDR", waitForIDR ? "1" : "0"),
            ("winQtCompat", winQtCompat ? "1" : "0"),
            ("dateFolderStructure", dateFolderStructure ? "1" : "0"),
        ] + retention + (publishKey.map { [("publishKey", $0)] } ?? [])
    }

    /// The `record` command line that gives these parameters (values with spaces or quotes are
    /// quoted, as `CommandParser` reads them).
    public var commandLine: String {
        (["record"] + pairs.map { key, value in key + "=" + Self.quotedIfNeeded(value) }).joined(separator: " ")
    }

    /// The parameters as a JSON object with typed values (booleans, a number), for storage.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "localStreamName": .string(localStreamName),
            "pathToFile": .string(pathToFile),
            "type": .string(type.rawValue),
            "overwrite": .bool(overwrite),
            "keepAlive": .bool(keepAlive),
            "chunkLength": .int(chunkLength),
            "waitForIDR": .bool(waitForIDR),
            "winQtCompat": .bool(winQtCompat),
            "dateFolderStructure": .bool(dateFolderStructure),
        ]
        // Stored so the key survives a restart (the state folder is the operator's: docs/security.md).
        if let publishKey { fields["publishKey"] = .string(publishKey) }
        if let retentionAge { fields["retentionAge"] = .int(retentionAge) }
        if let retentionBytes { fields["retentionBytes"] = .int(retentionBytes) }
        return .object(fields)
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "\\" || $0.isNewline }) else {
            return value
        }
        var out = "\""
        for c in value {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
