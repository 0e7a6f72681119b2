/// The JSON forms of the engine's snapshots, as the answers show them.
extension RecordConfigSnapshot {
    /// The EMS `operationType` of a record config (seed-record.md's example answer).
    public static let recordOperationType = 7

    /// Every field of the seed's `record` answer, in its spelling; booleans as JSON booleans.
    public var recordAnswerData: JSONValue {
        var fields: [String: JSONValue] = [
            "chunkLength": .int(parameters.chunkLength),
            "computedPathToFile": .string(computedPathToFile),
            "configId": .int(configId),
            "dateFolderStructure": .bool(parameters.dateFolderStructure),
            "hasAudio": .bool(hasAudio),
            "keepAlive": .bool(parameters.keepAlive),
            "localStreamName": .string(parameters.localStreamName),
            "mp4BinPath": .string(mp4BinPath),
            "operationType": .int(Self.recordOperationType),
            "overwrite": .bool(parameters.overwrite),
            "pathToFile": .string(parameters.pathToFile),
            // EMS transcoding preset; the recorder never transcodes.
            "preset": .int(0),
            "type": .string(parameters.type.rawValue),
            "waitForIDR": .bool(parameters.waitForIDR),
            "winQtCompat": .bool(parameters.winQtCompat),
        ]
        // Only when set: the seed's answer has no retention fields.
        if let age = parameters.retentionAge { fields["retentionAge"] = .int(age) }
        if let bytes = parameters.retentionBytes { fields["retentionBytes"] = .int(bytes) }
        return .object(fields)
    }

    /// The record fields plus the config's state, as listConfig shows it.
    public var listConfigData: JSONValue {
        guard case .object(var fields) = recordAnswerData else { return recordAnswerData }
        fields["state"] = .string(state)
        fields["filesWritten"] = .array(filesWritten.map(JSONValue.string))
        fields["lastError"] = JSONValue(lastError)
        // Whether a key guards the stream, never the key.
        if parameters.publishKey != nil { fields["publishKeySet"] = .bool(true) }
        return .object(fields)
    }
}

extension StreamSnapshot {
    public var json: JSONValue {
        .object([
            "localStreamName": .string(localStreamName),
            "source": .string(source),
            "clientAddress": JSONValue(clientAddress),
            "video": JSONValue(video),
            "audio": JSONValue(audio),
            "bitrateKbps": .int(bitrateKbps),
            "active": .bool(active),
            // Whether it is recorded; the first config's file and progress (all in recordings).
            "recording": .bool(!recordings.isEmpty),
            "currentFile": JSONValue(recordings.first?.file),
            "bytes": .int(Int(recordings.first?.bytes ?? 0)),
            "duration": .double(recordings.first?.durationSeconds ?? 0),
            "recordings": .array(recordings.map { r in
                .object(["configId": .int(r.configId), "file": JSONValue(r.file), "bytes": .int(Int(r.bytes)),
                         "duration": .double(r.durationSeconds)])
            }),
            "lastError": JSONValue(lastError),
            "notRecorded": .array(notRecorded.map(JSONValue.string)),
        ])
    }
}

extension PullConfigSnapshot {
    public var json: JSONValue {
        .object([
            "configId": .int(configId),
            "localStreamName": .string(localStreamName),
            "uri": .string(uri),
            "source": .string(source),
            "keepAlive": .bool(keepAlive),
            "forceTcp": .bool(forceTcp),
            "state": .string(state),
        ])
    }
}
