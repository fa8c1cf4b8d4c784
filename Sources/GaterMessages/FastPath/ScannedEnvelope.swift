import ErlangTerm

extension EnvelopeVerifier {
    /// A signed broadcast read straight from its bytes: `bytes[envelope...]` is
    /// `{secure_message, Signature, Inner}` followed by the rest of the `forward_to_local` tuple
    /// (its dispatcher atom) up to the end. The typed message when the signature matches in the
    /// peer's remembered style (legacy first) and every part has a shape the scanner takes; nil
    /// otherwise, and then the general path must read the broadcast (it decides, counts and logs).
    func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, envelope: Int, style: RememberedStyle, sender: String,
        texts: TextInterner
    ) -> (message: GaterMessage, report: FieldReport)? {
        var result: (message: GaterMessage, report: FieldReport)?
        scan(bytes, envelope: envelope, style: style, sender: sender, texts: texts) { result = (copy $0, $1) }
        return result
    }

    /// As `scan(_:envelope:style:sender:texts:)`, handing the message to `deliver` where it is
    /// made; false when it left the broadcast to the general path. The ingest path takes this
    /// one: a message this large returned up through closures and callers was moved (or copied)
    /// at every level.
    @discardableResult
    func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, envelope: Int, style: RememberedStyle, sender: String,
        texts: TextInterner, deliver: (borrowing GaterMessage, FieldReport) -> Void
    ) -> Bool {
        guard let key else { return false }
        let atomStyle = style.style ?? .legacy
        var scanner = TermScanner(bytes, at: envelope)
        guard let signature = try? scanner.signedEnvelope() else { return false }
        var scanned: GaterMessageKind?
        let inner = scanner.position
        var delivered = false
        withUnsafeTemporaryAllocation(of: Int.self, capacity: PayloadField.total) { fields in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: ErlangDateTime.keys.count) { times in
                fields.initialize(repeating: -1)
                times.initialize(repeating: -1)
                let valid = withUnsafeTemporaryAllocation(of: Int32.self, capacity: TermScanner.maxNotedAtoms) {
                    marks -> Bool in
                    // The legacy style hashes each atom rewritten: note where they are.
                    if atomStyle == .legacy { scanner.startNoting(into: marks) }
                    guard let kind = try? scanner.payload(fields: fields, times: times) else { return false }
                    let term = inner..<scanner.position
                    let atoms = scanner.stopNoting()
                    // The rest of the broadcast: its dispatcher atom, then nothing.
                    guard (try? scanner.skipTerm()) != nil, scanner.position == bytes.count else { return false }
                    scanned = kind
                    let slot = firstBlocks.slot(kind, atomStyle)
                    return key.isValid(signature) { state in
                        LegacyEncoding.feed(
                            bytes, term, atoms: atoms, into: state, firstBlocks: firstBlocks, slot: slot)
                    }
                }
                guard valid, let kind = scanned else { return }
                if style.style == nil { style.style = atomStyle }
                delivered = GaterDecoder.withScannedMessage(
                    of: kind, bytes, fields: UnsafeBufferPointer(fields), times: UnsafeBufferPointer(times),
                    texts: texts, sender: sender, deliver)
            }
        }
        return delivered
    }
}

extension GaterDecoder {
    /// The message of `kind` from the scanned offsets, with the fields it could not use, handed
    /// to `deliver`; false when the decoder refuses it or a field has a shape only the general
    /// path reads (which then decides, counts and logs). No `PayloadDecoding`: its `Result` cost
    /// a copy of the message.
    static func withScannedMessage(
        of kind: GaterMessageKind, _ bytes: UnsafeBufferPointer<UInt8>, fields: UnsafeBufferPointer<Int>,
        times: UnsafeBufferPointer<Int>, texts: TextInterner, sender: String,
        _ deliver: (borrowing GaterMessage, FieldReport) -> Void
    ) -> Bool {
        var report = FieldReport()
        var unsupported = false
        var delivered = false
        withUnsafeMutablePointer(to: &unsupported) { flag in
            withUnsafeMutablePointer(to: &report) { report in
                let scanned = ScannedFields(
                    bytes: bytes, fields: fields, times: times, unsupported: flag,
                    texts: Unmanaged.passUnretained(texts))
                // Handed on where it is made: held in an optional out here, it was copied once more.
                guard
                    let message = Self.message(
                        of: kind, RecordingFields(fields: scanned, report: report), sender: sender),
                    !flag.pointee
                else { return }
                deliver(message, report.pointee)
                delivered = true
            }
        }
        return delivered
    }
}

extension TermScanner {
    /// `{secure_message, Signature, ...`: the signature's bytes; the scanner is left at the inner term.
    mutating func signedEnvelope() throws(Unsupported) -> UnsafeBufferPointer<UInt8> {
        guard try byte(at: position) == ExternalTag.smallTuple, try byte(at: position + 1) == 3 else {
            throw Unsupported()
        }
        try advance(2)
        guard text(try atom()) == "secure_message", try byte(at: position) == ExternalTag.binary else {
            throw Unsupported()
        }
        let length = try length(at: position + 1)
        let start = position + 5
        try advance(5 + length)
        return UnsafeBufferPointer(rebasing: bytes[start..<(start + length)])
    }
}
