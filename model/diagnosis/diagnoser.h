#pragma once

#include "model/certs/identity.h"
#include "model/core/event.h"
#include "model/diagnosis/verdict.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QSslCertificate>

#include <optional>

namespace TlsLab::Model {

class Timeline;

// Judges every session of a Timeline when it ends: keeps the events of open sessions (and of a few recently ended
// ones, for their other end), makes the verdict with diagnose(), stores it in the session (Session::diagnosis, so
// every view of sessions has it) and, if asked, records it as a "diagnosis" event, the session's last.
// One per timeline: of() finds it among the timeline's children or makes it there, so the command line and every
// view share it without being handed it.
class Diagnoser final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Diagnoser)

public:
    static Diagnoser *of(Timeline *timeline);
    ~Diagnoser() override;

    // Record each verdict as a "diagnosis" event (tlslab serve does; the window shows the verdict in place).
    void setRecordsEvents(bool on) { m_recordsEvents = on; }
    // The certificate chain the listener presents: server-side verdicts name it. A note on it (a CA certificate, one
    // that expires soon) is recorded once, here, not on every session.
    void setLocalChain(const QList<QSslCertificate> &chain);
    // The same, with where the certificate came from (its file; whether it is the development certificate).
    void setLocalIdentity(const Identity &identity);
    std::optional<Verdict> verdict(quint64 session) const;

Q_SIGNALS:
    void verdictChanged(quint64 session);

private:
    explicit Diagnoser(Timeline *timeline);
    void onEventAppended(const Event &event); // runs in the appending thread

    void onSessionUpdated(quint64 id);
    void judge(quint64 id, bool alsoOtherEnd);
    QList<Event> eventsOf(quint64 id) const;
    void recordVerdict(quint64 session, Side side, const Verdict &v, Severity severity);
    void forget();

    Timeline *m_timeline;
    qint64 m_sinceUs; // sessions that started earlier are read back from the timeline
    bool m_recordsEvents = false;
    bool m_updating = false;
    QList<QSslCertificate> m_localChain;
    QString m_localCertificateFile;
    bool m_localIsDevelopment = false;
    // Guarded by m_mutex (events may be appended from any thread): the events of the sessions being followed, i.e.
    // those seen open (a session the timeline never heard of is not followed) and the recently ended ones.
    mutable QMutex m_mutex;
    QHash<quint64, QList<Event>> m_events;
    QSet<quint64> m_judged;
    QSet<quint64> m_rejudge; // ended sessions that received late events

    QList<std::pair<quint64, qint64>> m_recent; // ended sessions (id, end) whose events are still kept, oldest first
    // The latest end of a session forgotten from m_recent: a session that ended no later was judged (and its verdict
    // recorded) already, should it be published again.
    qint64 m_forgottenEndUs = 0;
    QHash<quint64, std::optional<Verdict>> m_verdicts; // judged sessions
    QSet<quint64> m_recorded; // sessions whose verdict was recorded as an event
};

} // namespace TlsLab::Model
