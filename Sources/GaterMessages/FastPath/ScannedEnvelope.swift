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
        guard let key else { return nil }
        let atomStyle = style.style ?? .legacy
        var scanner = TermScanner(bytes, at: envelope)
        guard let signature = try? scanner.signedEnvelope() else { return nil }
        var scanned: GaterMessageKind?
        let inner = scanner.position
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: PayloadField.total) { fields in
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
                    return key.isValid(signature) { state in LegacyEncoding.feed(bytes, term, atoms: atoms, into: state)
                    }
                }
                guard valid, let kind = scanned else { return nil }
                if style.style == nil { style.style = atomStyle }
                var unsupported = false
                let decoding = withUnsafeMutablePointer(to: &unsupported) { flag in
                    GaterDecoder.decoding(
                        of: kind,
                        ScannedFields(
                            bytes: bytes, fields: UnsafeBufferPointer(fields), times: UnsafeBufferPointer(times),
                            unsupported: flag, texts: Unmanaged.passUnretained(texts)),
                        sender: sender)
                }
                // A payload the decoders refuse is left to the general path, which says why.
                guard !unsupported, case .success(let message) = decoding.outcome else { return nil }
                return (message, decoding.report)
            }
        }
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
