import MediaCore

/// The JSON forms of the engine's snapshots, as the answers show them.
extension RecordConfigSnapshot {
    /// The EMS `operationType` of a record config (seed-record.md's example answer).
    public static let recordOperationType = 7

    /// Every field of the seed's `record` answer, in its spelling; booleans as JSON booleans.
    /// The parameters' fields are their stored form's (`RecordParameters.json`) but the key.
    public var recordAnswerData: JSONValue {
        guard case .object(var fields) = parameters.json else { return parameters.json }
        // Answers say whether a key is set (listConfig), never the key.
        fields["publishKey"] = nil
        fields.merge([
            "computedPathToFile": .string(computedPathToFile),
            "configId": .int(configId),
            "hasAudio": .bool(hasAudio),
            "mp4BinPath": .string(mp4BinPath),
            "operationType": .int(Self.recordOperationType),
            // EMS transcoding preset; the recorder never transcodes.
            "preset": .int(0),
        ]) { _, snapshot in snapshot }
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
