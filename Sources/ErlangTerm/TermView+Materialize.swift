/// Turning a validated view into an owned `Term`. Recursion depth is bounded by the parser's
/// depth limit.
extension TermView {
    /// The subterm `term` (the whole term by default) as an owned value.
    public func term(_ term: TermRef? = nil) -> Term {
        materialize((term ?? root).index)
    }

    private func materialize(_ index: Int) -> Term {
        let node = nodes[index]
        let ref = TermRef(index)
        switch node.kind {
        case .integer: return .integer(int(of: ref) ?? 0)
        case .bigInteger:
            let value = bigInteger(node)
            return value.intValue.map(Term.integer) ?? .bigInteger(value)
        case .float: return .float(floatValue(node))
        case .atom: return .atom(Atom(atomName(of: ref) ?? ""))
        case .tuple: return .tuple(children(of: ref).map { materialize($0.index) })
        case .emptyList: return .list([])
        case .string: return .string(Array(binaryBytes(of: ref) ?? []))
        case .list: return materializeList(ref)
        case .map:
            return .map(mapEntries(of: ref).map { MapEntry(materialize($0.key.index), materialize($0.value.index)) })
        case .binary: return .binary(Array(binaryBytes(of: ref) ?? []))
        case .bitBinary: return materializeBitBinary(node)
        case .pid: return .pid(pid(node, index))
        case .port: return .port(port(node, index))
        case .reference: return .reference(reference(node, index))
        case .export:
            return .export(
                ExportFun(
                    module: atom(index + 1), function: atom(index + 2),
                    arity: UInt8(truncatingIfNeeded: int(of: TermRef(index + 3)) ?? 0)))
        case .fun: return .fun(localFun(node, index))
        case .local: return .local(Array(bytes[(Int(node.offset) + 1)..<Int(node.end)]))
        }
    }

    private func materializeList(_ ref: TermRef) -> Term {
        let elements = children(of: ref).map { materialize($0.index) }
        guard let tail = tail(of: ref), nodes[tail.index].kind != .emptyList else { return .list(elements) }
        return .improperList(elements, tail: materialize(tail.index))
    }

    private func materializeBitBinary(_ node: TermNode) -> Term {
        let offset = Int(node.offset)
        var data = Array(bytes[(offset + 6)..<Int(node.end)])
        let bits = bytes[offset + 5]
        guard bits != 8, let last = data.indices.last else { return .binary(data) }
        // The low bits beyond the size are no part of the value (the BEAM clears them too).
        data[last] &= ~(0xFF >> bits)
        return .bitBinary(data, bitsInLastByte: bits)
    }

    private func atom(_ index: Int) -> Atom { Atom(atomName(of: TermRef(index)) ?? "") }

    /// Fixed fields of an identifier start right after its node-name atom.
    private func fieldsStart(_ index: Int) -> Int { Int(nodes[index + 1].end) }

    private func pid(_ node: TermNode, _ index: Int) -> Pid {
        pidFields(index, node: atom(index + 1))
    }

    /// The pid at node `index`, whose node name is `name`.
    func pidFields(_ index: Int, node name: Atom) -> Pid {
        let at = fieldsStart(index)
        let creation = nodes[index].tag == ExternalTag.newPid ? readU32(at + 8) : UInt32(bytes[at + 8])
        return Pid(node: name, id: readU32(at), serial: readU32(at + 4), creation: creation)
    }

    private func port(_ node: TermNode, _ index: Int) -> Port {
        let at = fieldsStart(index)
        switch node.tag {
        case ExternalTag.v4Port: return Port(node: atom(index + 1), id: readU64(at), creation: readU32(at + 8))
        case ExternalTag.newPort:
            return Port(node: atom(index + 1), id: UInt64(readU32(at)), creation: readU32(at + 4))
        default: return Port(node: atom(index + 1), id: UInt64(readU32(at)), creation: UInt32(bytes[at + 4]))
        }
    }

    private func reference(_ node: TermNode, _ index: Int) -> Reference {
        let at = fieldsStart(index)
        switch node.tag {
        case ExternalTag.reference:
            return Reference(node: atom(index + 1), creation: UInt32(bytes[at + 4]), words: [readU32(at)])
        default:
            let wide = node.tag == ExternalTag.newerReference
            let creation = wide ? readU32(at) : UInt32(bytes[at])
            let wordsAt = at + (wide ? 4 : 1)
            let words = (0..<Int(node.count)).map { readU32(wordsAt + 4 * $0) }
            return Reference(node: atom(index + 1), creation: creation, words: words)
        }
    }

    private func localFun(_ node: TermNode, _ index: Int) -> LocalFun {
        let offset = Int(node.offset)
        let module = index + 1
        let oldIndex = Int(nodes[module].next)
        let oldUniq = Int(nodes[oldIndex].next)
        let pid = Int(nodes[oldUniq].next)
        var free: [Term] = []
        var child = Int(nodes[pid].next)
        while child < Int(node.next) {
            free.append(materialize(child))
            child = Int(nodes[child].next)
        }
        return LocalFun(
            arity: bytes[offset + 5], uniq: Array(bytes[(offset + 6)..<(offset + 22)]),
            index: readU32(offset + 22), module: atom(module), oldIndex: materialize(oldIndex),
            oldUniq: materialize(oldUniq), pid: materialize(pid), freeVariables: free)
    }
}
