#include "model/diagnosis/diagnoser.h"

#include "model/diagnosis/diagnosis.h"
#include "model/timeline/timeline.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {
// Enough ended sessions kept for a client and its listener ending a moment apart, even under a flood.
constexpr qsizetype RecentSessionsKept = 256;
// A long-lived session keeps exchanging data: past this many events only the ones a verdict can rest on are kept.
constexpr qsizetype EventsKeptInFull = 256;
constexpr qsizetype EventsKeptAtMost = 1024;

bool worthKeepingLate(EventKind kind)
{
    return kind != EventKind::DataSent && kind != EventKind::DataReceived && kind != EventKind::TlsMessage;
}
} // namespace

Diagnoser *Diagnoser::of(Timeline *timeline)
{
    if (auto *existing = timeline->findChild<Diagnoser *>(QString(), Qt::FindDirectChildrenOnly))
        return existing;
    return new Diagnoser(timeline);
}

Diagnoser::Diagnoser(Timeline *timeline)
    : QObject(timeline)
    , m_timeline(timeline)
    , m_sinceUs(nowUs())
{
    // Direct: events may be appended in another thread; keeping one is a short locked append, and the events of
    // sessions nobody follows are not copied across threads at all.
    connect(timeline, &Timeline::eventAppended, this, &Diagnoser::onEventAppended, Qt::DirectConnection);
    connect(timeline, &Timeline::sessionUpdated, this, &Diagnoser::onSessionUpdated);
    connect(timeline, &Timeline::cleared, this, &Diagnoser::forget);
}

Diagnoser::~Diagnoser() = default;

std::optional<Verdict> Diagnoser::verdict(quint64 session) const
{
    const auto it = m_verdicts.constFind(session);
    if (it != m_verdicts.cend())
        return *it;
    const QJsonObject kept = m_timeline->session(session).diagnosis; // judged long ago
    return kept.isEmpty() ? std::nullopt : std::optional<Verdict>(Verdict::fromJson(kept));
}

void Diagnoser::setLocalChain(const QList<QSslCertificate> &chain)
{
    m_localChain = chain;
    const std::optional<Verdict> note = certificateNote(chain, QDateTime::currentDateTimeUtc());
    if (note && m_recordsEvents)
        recordVerdict(0, Side::Server, *note, Severity::Warning);
}

void Diagnoser::setLocalIdentity(const Identity &identity)
{
    m_localCertificateFile = identity.certificatePath;
    m_localIsDevelopment = identity.isDevelopmentCertificate;
    setLocalChain(identity.chain);
}

void Diagnoser::recordVerdict(quint64 session, Side side, const Verdict &v, Severity severity)
{
    EventDetails d {{u"kind"_s, verdictKindName(v.kind)}, {u"side"_s, partyName(v.side)},
        {u"gave_up"_s, partyName(v.gaveUp)}, {u"step"_s, stepName(v.step)}, {u"cause"_s, v.cause},
        {u"cause_code"_s, v.causeCode}, {u"why"_s, v.why}, {u"fix"_s, v.fix}};
    m_timeline->record(session, side, EventKind::Diagnosis, severity,
        (v.isFailure() ? u"Diagnosis: "_s : u"Note: "_s) + v.cause + u" [" + v.causeCode + u"]", d);
}

void Diagnoser::forget()
{
    const QMutexLocker locker(&m_mutex);
    m_events.clear();
    m_judged.clear();
    m_rejudge.clear();
    m_recent.clear();
    m_verdicts.clear();
    m_recorded.clear();
}

void Diagnoser::onEventAppended(const Event &event)
{
    if (event.session == 0 || event.kind == EventKind::Diagnosis)
        return;
    const QMutexLocker locker(&m_mutex);
    const auto it = m_events.find(event.session);
    if (it == m_events.end())
        return; // not followed: unknown to the timeline, or ended long ago
    if (it->size() >= EventsKeptAtMost || (it->size() >= EventsKeptInFull && !worthKeepingLate(event.kind)))
        return;
    it->append(event);
    if (m_judged.contains(event.session) && !m_rejudge.contains(event.session)) {
        // A late event (an alert after the end, say): judge again in the diagnoser's thread, once.
        m_rejudge.insert(event.session);
        QMetaObject::invokeMethod(
            this,
            [this, id = event.session] {
                bool again = false;
                {
                    const QMutexLocker locker(&m_mutex);
                    again = m_rejudge.remove(id);
                }
                if (again)
                    judge(id, true);
            },
            Qt::QueuedConnection);
    }
}

void Diagnoser::onSessionUpdated(quint64 id)
{
    if (m_updating)
        return;
    const auto it = m_verdicts.constFind(id);
    if (it == m_verdicts.cend()) {
        const Session s = m_timeline->session(id);
        if (s.id != id)
            return;
        if (s.isOpen()) {
            const QMutexLocker locker(&m_mutex);
            if (!m_events.contains(id))
                m_events.insert(id, {}); // follow it from now on
            return;
        }
        judge(id, true);
        return;
    }
    // Someone published the session again after its end (the client's own copy, without the verdict): put it back.
    Session s = m_timeline->session(id);
    const QJsonObject json = it->has_value() ? (*it)->toJson() : QJsonObject();
    if (s.id == id && s.diagnosis != json) {
        s.diagnosis = json;
        m_updating = true;
        m_timeline->updateSession(s);
        m_updating = false;
    }
}

QList<Event> Diagnoser::eventsOf(quint64 id) const
{
    const Session s = m_timeline->session(id);
    {
        const QMutexLocker locker(&m_mutex);
        const auto it = m_events.constFind(id);
        // Followed from its start, or followed and the timeline keeps no events to read back.
        if (it != m_events.cend() && (s.startUs >= m_sinceUs || !m_timeline->keepsHistory()))
            return *it;
    }
    // Not followed from its start (it began before this diagnoser existed): read it back from the timeline.
    EventFilter filter;
    filter.sessions = {id};
    QList<Event> events;
    const QList<qsizetype> indices = m_timeline->matching(filter, 0, m_timeline->eventCount());
    for (qsizetype i : indices)
        events.append(m_timeline->event(i));
    return events;
}

void Diagnoser::judge(quint64 id, bool alsoOtherEnd)
{
    Session s = m_timeline->session(id);
    if (s.id != id || s.isOpen())
        return;
    DiagnosisInput input;
    input.session = s;
    input.events = eventsOf(id);
    if (s.linkedSession) {
        const Session other = m_timeline->session(s.linkedSession);
        if (other.id == s.linkedSession) {
            input.other = other;
            input.otherEvents = eventsOf(other.id);
        }
    }
    if (s.side == Side::Server) {
        input.localChain = m_localChain;
        input.localCertificateFile = m_localCertificateFile;
        input.localIsDevelopment = m_localIsDevelopment;
    }
    const std::optional<Verdict> v = diagnose(input);

    // Judged before, and forgotten since (only the recent sessions' verdicts are kept here; each session keeps its
    // own).
    const bool forgotten = !m_verdicts.contains(id) && s.endUs <= m_forgottenEndUs;
    const bool first = !m_verdicts.contains(id);
    // A healthy session is published again only if it carried a verdict before (a late event cleared it).
    const bool changed = first ? (v.has_value() || !s.diagnosis.isEmpty()) : m_verdicts.value(id) != v;
    m_verdicts.insert(id, v);
    if (first) {
        const QMutexLocker locker(&m_mutex);
        m_judged.insert(id);
        m_recent.append({id, s.endUs});
        while (m_recent.size() > RecentSessionsKept) {
            const auto [old, oldEndUs] = m_recent.takeFirst();
            m_events.remove(old);
            m_judged.remove(old);
            m_verdicts.remove(old); // the session itself keeps its verdict (Session::diagnosis)
            m_recorded.remove(old);
            m_forgottenEndUs = std::max(m_forgottenEndUs, oldEndUs);
        }
    }
    if (changed) {
        s.diagnosis = v ? v->toJson() : QJsonObject();
        m_updating = true;
        m_timeline->updateSession(s);
        m_updating = false;
        Q_EMIT verdictChanged(id);
    }
    if (v && m_recordsEvents && !forgotten && !m_recorded.contains(id)) {
        m_recorded.insert(id);
        const Severity severity = !v->isFailure() ? Severity::Warning
            : s.state == SessionState::Refused    ? Severity::Warning
                                                  : Severity::Error;
        recordVerdict(id, s.side, *v, severity);
    }
    if (alsoOtherEnd && s.linkedSession && m_verdicts.contains(s.linkedSession))
        judge(s.linkedSession, false); // the other end ended first: it may know more now
}

} // namespace TlsLab::Model
