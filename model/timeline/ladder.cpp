#include "model/timeline/ladder.h"

#include "model/core/session.h"
#include "model/diagnosis/verdict.h"
#include "model/timeline/timeline.h"

#include <QHash>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {
Side otherSide(Side side)
{
    return side == Side::Client ? Side::Server : Side::Client;
}

// The facts of a message as its event's summary states them ("ServerHello sent: TLS 1.3, ..., x25519 (encrypted)"
// -> "TLS 1.3, ..., x25519"): the recorder already chose what matters in each message, so the ladder says the same.
QString factsFromSummary(QString summary, const QString &type)
{
    if (summary.endsWith(u" (encrypted)"_s))
        summary.chop(12);
    // "ClientHello sent: ClientHello (no SNI): TLS 1.3, ..." names the type twice; "ChangeCipherSpec sent" has no
    // facts at all.
    while (summary.startsWith(type)) {
        const qsizetype colon = summary.indexOf(u": "_s);
        if (colon < 0)
            return {};
        const QString head = summary.left(colon); // "ClientHello sent", "ClientHello (no SNI)"
        const qsizetype paren = head.indexOf(u" ("_s);
        summary = summary.mid(colon + 2);
        if (paren >= 0) {
            summary = head.mid(paren + 1) + u' ' + summary; // "(no SNI) TLS 1.3, ..."
            break;
        }
    }
    // What is left of "N bytes" is said by the size already.
    if (summary.endsWith(u" bytes"_s) && summary.count(u' ') == 1)
        return {};
    return summary;
}

QString markName(EventKind kind)
{
    switch (kind) {
    case EventKind::Encrypted:
        return u"encrypted"_s;
    case EventKind::Closed:
        return u"closed"_s;
    case EventKind::HandshakeFailed:
        return u"handshake failed"_s;
    case EventKind::Timeout:
        return u"timed out"_s;
    case EventKind::Reset:
        return u"reset"_s;
    case EventKind::SocketError:
        return u"socket error"_s;
    case EventKind::PlaintextRefused:
        return u"refused plaintext"_s;
    default:
        return {};
    }
}

bool isFailureMark(const LadderStep &step)
{
    return step.kind == LadderStep::Kind::Mark && step.type != u"encrypted"_s && step.type != u"closed"_s;
}

QString mermaidText(QString text)
{
    // ';' ends a statement and '#' starts an entity code in Mermaid; neither is needed to read the ladder.
    text.replace(u';', u',');
    text.remove(u'#');
    text.replace(u'\n', u' ');
    return text;
}
} // namespace

bool Ladder::differs(const LadderStep &step) const
{
    if (!bothEnds() || !step.isArrow() || !step.wire || step.receiptUnseen)
        return false;
    return step.sentEvent < 0 || step.receivedEvent < 0
        || (step.receivedBytes >= 0 && step.receivedBytes != step.bytes);
}

qsizetype Ladder::arrowCount() const
{
    return std::count_if(steps.cbegin(), steps.cend(), [](const LadderStep &s) { return s.isArrow(); });
}

Ladder Ladder::build(const Timeline &timeline, quint64 session)
{
    Ladder ladder;
    const Session first = timeline.session(session);
    if (first.id != session || !session)
        return ladder;
    quint64 linked = first.linkedSession;
    if (!linked) {
        for (const Session &s : timeline.sessions()) {
            if (s.linkedSession == session) {
                linked = s.id;
                break;
            }
        }
    }
    const Session other = linked ? timeline.session(linked) : Session();
    (first.side == Side::Client ? ladder.clientSession : ladder.serverSession) = first.id;
    if (other.id && other.side != first.side)
        (other.side == Side::Client ? ladder.clientSession : ladder.serverSession) = other.id;

    EventFilter filter;
    filter.sessions = {ladder.clientSession, ladder.serverSession};
    filter.sessions.removeAll(0);
    const QList<qsizetype> indices = timeline.matching(filter, 0, timeline.eventCount());

    // The n-th message of a type sent one way is the n-th of that type received at the other end. Steps still
    // waiting for their other half, by direction and type (recording order between the two ends is not time order).
    QHash<QString, QList<qsizetype>> waitingForReceive;
    QHash<QString, QList<qsizetype>> waitingForSend;
    QList<LadderStep> &steps = ladder.steps;
    auto observe = [&](const Event &e, qsizetype index, LadderStep::Kind kind, bool sent, const QString &type,
                       qint64 bytes, bool encrypted, bool wire) {
        const Side from = sent ? e.side : otherSide(e.side);
        const QString key = (from == Side::Client ? u"c:"_s : u"s:"_s) + type;
        QList<qsizetype> &partner = (sent ? waitingForSend : waitingForReceive)[key];
        qsizetype at = -1;
        if (!partner.isEmpty()) {
            at = partner.takeFirst();
        } else {
            LadderStep step;
            step.kind = kind;
            step.from = from;
            step.type = type;
            step.encrypted = encrypted;
            step.timeUs = e.timeUs;
            steps.append(step);
            at = steps.size() - 1;
            if (wire)
                (sent ? waitingForReceive : waitingForSend)[key].append(at);
        }
        LadderStep &step = steps[at];
        const QString facts = factsFromSummary(e.summary, type);
        if (sent) {
            step.sentEvent = index;
            step.bytes = bytes;
            step.wire = wire;
            step.timeUs = e.timeUs; // a message is placed where it was sent
            if (!facts.isEmpty())
                step.facts = facts;
        } else {
            step.receivedEvent = index;
            step.receivedBytes = bytes;
            if (step.sentEvent < 0)
                step.bytes = bytes;
            if (step.facts.isEmpty())
                step.facts = facts;
        }
    };

    for (const qsizetype index : indices) {
        const Event e = timeline.event(index);
        switch (e.kind) {
        case EventKind::TlsMessage:
        case EventKind::ClientHello: {
            const QString direction = e.details.value(u"direction").toString();
            const QString type = e.details.value(u"type").toString();
            if (type.isEmpty() || direction.isEmpty())
                break;
            observe(e, index, LadderStep::Kind::Message, direction == u"sent"_s, type,
                e.details.value(u"bytes").toInteger(), e.details.value(u"encrypted").toBool(), true);
            break;
        }
        case EventKind::AlertSent:
        case EventKind::AlertReceived: {
            const QString type
                = u"alert "_s + e.details.value(u"level").toString() + u' ' + e.details.value(u"type").toString();
            const QCborValue wire = e.details.value(u"wire");
            observe(e, index, LadderStep::Kind::Alert, e.kind == EventKind::AlertSent, type, 2,
                e.details.value(u"encrypted").toBool(),
                e.kind == EventKind::AlertReceived || wire.isUndefined() || wire.toBool());
            break;
        }
        case EventKind::DataSent:
        case EventKind::DataReceived:
            observe(e, index, LadderStep::Kind::ApplicationData, e.kind == EventKind::DataSent, u"application data"_s,
                e.details.value(u"bytes").toInteger(), true, true);
            break;
        case EventKind::FirstBytes: {
            // Only a plaintext first message is its own arrow; a TLS one is the ClientHello that follows.
            const QString classification = e.details.value(u"classification").toString();
            if (classification != u"http"_s && classification != u"plaintext"_s)
                break;
            LadderStep step;
            step.from = Side::Client;
            step.type = u"plaintext"_s;
            step.facts = e.summary;
            step.bytes = e.details.value(u"bytes").toInteger();
            step.receivedBytes = step.bytes;
            step.timeUs = e.timeUs;
            step.receivedEvent = index;
            steps.append(step);
            break;
        }
        default: {
            const QString mark = markName(e.kind);
            if (mark.isEmpty())
                break;
            LadderStep step;
            step.kind = LadderStep::Kind::Mark;
            step.from = e.side;
            step.type = mark;
            step.facts = e.summary;
            step.timeUs = e.timeUs;
            step.sentEvent = index;
            steps.append(step);
            break;
        }
        }
    }
    std::stable_sort(
        steps.begin(), steps.end(), [](const LadderStep &a, const LadderStep &b) { return a.timeUs < b.timeUs; });

    // Application data is summarised: a run of writes one way is one step.
    QList<LadderStep> merged;
    for (const LadderStep &step : std::as_const(steps)) {
        if (!merged.isEmpty() && step.kind == LadderStep::Kind::ApplicationData
            && merged.last().kind == LadderStep::Kind::ApplicationData && merged.last().from == step.from) {
            LadderStep &run = merged.last();
            run.count += 1;
            if (step.sentEvent >= 0) {
                run.bytes += step.bytes;
                if (run.sentEvent < 0)
                    run.sentEvent = step.sentEvent;
            }
            if (step.receivedEvent >= 0) {
                run.receivedBytes = std::max<qint64>(run.receivedBytes, 0) + std::max<qint64>(step.receivedBytes, 0);
                if (run.receivedEvent < 0)
                    run.receivedEvent = step.receivedEvent;
            }
            continue;
        }
        merged.append(step);
    }
    steps = merged;

    // TLS 1.3 sends ChangeCipherSpec only for middleboxes, and OpenSSL drops it on receipt without reporting it: not
    // seeing it received is no difference.
    const bool tls13 = std::any_of(steps.cbegin(), steps.cend(),
        [](const LadderStep &s) { return s.type == u"ServerHello"_s && s.facts.contains(u"TLS 1.3"_s); });
    for (LadderStep &step : steps) {
        if (tls13 && step.type == u"ChangeCipherSpec"_s && step.receivedEvent < 0) {
            step.receiptUnseen = true;
            step.facts = u"middlebox compatibility, dropped unreported by TLS 1.3"_s;
        }
    }

    for (const Session &s : {timeline.session(ladder.clientSession), timeline.session(ladder.serverSession)}) {
        const Verdict v = Verdict::fromJson(s.diagnosis);
        if (v.isFailure() && !v.causeCode.isEmpty()) {
            ladder.verdict = v.cause;
            ladder.verdictCode = v.causeCode;
            break;
        }
    }
    const bool failed = !ladder.verdict.isEmpty()
        || std::any_of(steps.cbegin(), steps.cend(), [](const LadderStep &s) { return s.isFatalAlert(); });
    if (failed) {
        auto at = std::find_if(steps.cbegin(), steps.cend(), [](const LadderStep &s) { return s.isFatalAlert(); });
        if (at == steps.cend())
            at = std::find_if(steps.cbegin(), steps.cend(), isFailureMark);
        ladder.failureStep = at != steps.cend() ? at - steps.cbegin() : steps.size() - 1;
    }
    return ladder;
}

QString Ladder::toMermaid() const
{
    QString out = u"sequenceDiagram\n"_s;
    out += clientSession ? u"    participant C as Client (session %1)\n"_s.arg(clientSession)
                         : u"    participant C as Client (not in this process)\n"_s;
    out += serverSession ? u"    participant S as Server (session %1)\n"_s.arg(serverSession)
                         : u"    participant S as Server (not in this process)\n"_s;
    for (const LadderStep &step : steps) {
        const QString self = step.from == Side::Client ? u"C"_s : u"S"_s;
        const QString peer = step.from == Side::Client ? u"S"_s : u"C"_s;
        if (!step.isArrow()) {
            out += u"    Note over %1: %2\n"_s.arg(self, mermaidText(step.type));
            continue;
        }
        // Dashed: encrypted; a cross: built but never sent.
        const QString arrow = (step.encrypted ? u"--"_s : u"-"_s) + (step.wire ? u">>"_s : u"x"_s);
        QStringList notes;
        if (!step.facts.isEmpty() && step.kind != LadderStep::Kind::ApplicationData)
            notes.append(step.facts);
        if (step.kind == LadderStep::Kind::ApplicationData && step.count > 1)
            notes.append(u"%1 writes"_s.arg(step.count));
        notes.append(u"%1 B"_s.arg(step.bytes));
        if (step.encrypted)
            notes.append(u"encrypted"_s);
        if (!step.wire)
            notes.append(u"not sent"_s);
        if (differs(step))
            notes.append(step.receivedEvent < 0 ? u"not seen received"_s
                    : step.sentEvent < 0        ? u"not seen sent"_s
                                                : u"received %1 B"_s.arg(step.receivedBytes));
        out += u"    %1%2%3: %4 (%5)\n"_s.arg(
            self, arrow, peer, mermaidText(step.type), mermaidText(notes.join(u", "_s)));
    }
    if (!verdict.isEmpty())
        out += u"    Note over C,S: Failure: %1\n"_s.arg(mermaidText(verdict));
    return out;
}

} // namespace TlsLab::Model
