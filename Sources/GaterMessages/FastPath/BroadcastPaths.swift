import ErlangTerm

/// What each way of reading one broadcast answers: the scanned path (`EnvelopeVerifier.scan`,
/// straight from the bytes) and the general one (`TermView`, `open`, `GaterDecoder`). Whenever
/// the scanned path answers, it must answer what the general path decodes, with the same
/// ignored fields; the tests prove it on the BEAM's broadcasts and on mutants, the fuzz target
/// `scanner` (Fuzz/, docs/proofs.md) on whatever libFuzzer makes.
@_spi(Fuzzing) public struct BroadcastPaths {
    /// The scanned path's message; nil when it left the broadcast to the general path.
    public let scanned: GaterMessage?
    /// The general path's answer; nil when the bytes are no tuple with an envelope third.
    public let general: Result<GaterMessage, MessageRejection>?
    /// Whether both paths reported the same ignored fields (true unless both decoded).
    public let sameReport: Bool

    /// Reads `bytes` both ways; `envelope` is where `{secure_message, ...}` starts, after
    /// `131, {forward_to_local, <<Topic>>,`. The scanned path tries `style` first, as it would
    /// for a peer whose signatures last matched in it; the general path starts afresh.
    public init(_ bytes: [UInt8], envelope: Int, verifier: EnvelopeVerifier, style: AtomStyle?) {
        let remembered = RememberedStyle()
        remembered.style = style
        let fast = bytes.withUnsafeBufferPointer {
            verifier.scan($0, envelope: envelope, style: remembered, sender: "fuzz@host", texts: TextInterner())
        }
        scanned = fast?.message
        guard let view = try? TermView(parsing: bytes, wholeInput: true),
            let outer = view.element(2, of: view.root)
        else {
            general = nil
            sameReport = true
            return
        }
        switch verifier.open(view, outer, style: RememberedStyle()) {
        case .failure(let rejection):
            general = .failure(rejection)
            sameReport = true
        case .success(let inner):
            let decoding = GaterDecoder().decodeReporting(view, inner: inner, sender: "fuzz@host")
            general = decoding.outcome
            sameReport = fast.map { $0.report == decoding.report } ?? true
        }
    }
}
