#include "widgets/sessiontablemodel.h"

#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"
#include "widgets/eventtablemodel.h"

#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

QString sessionOutcome(const Session &s)
{
    QString text;
    switch (s.state) {
    case SessionState::Connecting:
        text = SessionTableModel::tr("connecting");
        break;
    case SessionState::Handshaking:
        text = SessionTableModel::tr("handshaking");
        break;
    case SessionState::Encrypted:
        text = s.untrusted ? SessionTableModel::tr("encrypted (untrusted: errors ignored)")
                           : SessionTableModel::tr("encrypted");
        break;
    case SessionState::Plaintext:
        text = SessionTableModel::tr("plaintext connection open");
        break;
    case SessionState::Closed:
        text = s.untrusted ? SessionTableModel::tr("closed (was untrusted)") : SessionTableModel::tr("closed");
        break;
    case SessionState::Refused:
        text = SessionTableModel::tr("refused");
        break;
    case SessionState::Failed:
        text = SessionTableModel::tr("failed");
        break;
    }
    // The verdict's short cause says more than the raw reason (model/diagnosis); a note stays a note.
    const QString cause = s.diagnosis.value(u"cause"_s).toString();
    if (!cause.isEmpty() && s.diagnosis.value(u"kind"_s).toString() == u"note")
        text += SessionTableModel::tr(" (note: %1)").arg(cause);
    else if (!cause.isEmpty())
        text += u": "_s + cause;
    else if (!s.reason.isEmpty())
        text += u": "_s + s.reason;
    return text;
}

namespace {
Severity severityOf(const Session &s)
{
    switch (s.state) {
    case SessionState::Encrypted:
        return s.untrusted ? Severity::Warning : Severity::Success;
    case SessionState::Refused:
        return Severity::Warning;
    case SessionState::Failed:
        return Severity::Error;
    case SessionState::Closed:
        return s.untrusted ? Severity::Warning : (s.protocol.isEmpty() ? Severity::Info : Severity::Success);
    default:
        return Severity::Info;
    }
}
} // namespace

SessionTableModel::SessionTableModel(Timeline *timeline, QObject *parent)
    : QAbstractTableModel(parent)
    , m_timeline(timeline)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(FlushDelayMs);
    connect(m_timer, &QTimer::timeout, this, &SessionTableModel::flush);
    connect(m_timeline, &Timeline::sessionUpdated, this, &SessionTableModel::onSessionUpdated);
    connect(m_timeline, &Timeline::cleared, this, &SessionTableModel::reset);
    m_sessions = m_timeline->sessions();
    for (int i = 0; i < m_sessions.size(); ++i)
        m_rowById.insert(m_sessions.at(i).id, i);
}

SessionTableModel::~SessionTableModel() = default;

void SessionTableModel::onSessionUpdated(quint64 id)
{
    // Only remember the id: the session is read once per flush however often it changed.
    if (!m_rowById.contains(id) && !m_pending.contains(id))
        m_pendingNew.append(id);
    m_pending.insert(id);
    if (!m_timer->isActive())
        m_timer->start();
}

QList<std::pair<int, int>> SessionTableModel::contiguousRanges(QList<int> rows)
{
    std::sort(rows.begin(), rows.end());
    QList<std::pair<int, int>> ranges;
    for (int row : std::as_const(rows)) {
        if (!ranges.isEmpty() && row <= ranges.last().second + 1)
            ranges.last().second = std::max(ranges.last().second, row);
        else
            ranges.append({row, row});
    }
    return ranges;
}

void SessionTableModel::flush()
{
    m_timer->stop();
    if (m_pending.isEmpty())
        return;
    // Only the rows that changed: one dataChanged spanning rows 3 and 3,000 would make views repaint all between.
    QList<int> changed;
    for (quint64 id : std::as_const(m_pending)) {
        const int row = m_rowById.value(id, -1);
        if (row < 0)
            continue;
        m_sessions[row] = m_timeline->session(id);
        changed.append(row);
    }
    QList<Session> added;
    for (quint64 id : std::as_const(m_pendingNew)) {
        Session s = m_timeline->session(id);
        if (s.id == id)
            added.append(s);
    }
    m_pending.clear();
    m_pendingNew.clear();
    for (const auto &[first, last] : contiguousRanges(changed))
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
    if (!added.isEmpty()) {
        const int first = int(m_sessions.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const Session &s : std::as_const(added)) {
            m_rowById.insert(s.id, int(m_sessions.size()));
            m_sessions.append(s);
        }
        endInsertRows();
    }
}

void SessionTableModel::reset()
{
    beginResetModel();
    m_sessions = m_timeline->sessions();
    m_rowById.clear();
    for (int i = 0; i < m_sessions.size(); ++i)
        m_rowById.insert(m_sessions.at(i).id, i);
    m_pending.clear();
    m_pendingNew.clear();
    m_timer->stop();
    endResetModel();
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sessions.size());
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Session &s = m_sessions.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case IdColumn:
            return QString(u"#"_s + QString::number(s.id));
        case SideColumn:
            return sideName(s.side);
        case StateColumn:
            return s.untrusted && s.state == SessionState::Encrypted ? QString(stateName(s.state) + u" (untrusted)"_s)
                                                                     : stateName(s.state);
        case PeerColumn:
            return s.peerAddress.isEmpty() ? QString() : SocketFacts::endpoint(s.peerAddress, s.peerPort);
        case ProtocolColumn:
            return s.protocol;
        case CipherColumn:
            return s.cipher;
        case OutcomeColumn:
            return sessionOutcome(s);
        case LinkedColumn:
            return s.linkedSession ? QVariant(tr("↔ #%1 (%2)")
                                                  .arg(s.linkedSession)
                                                  .arg(sideName(s.side == Side::Server ? Side::Client : Side::Server)))
                                   : QVariant();
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == IdColumn)
            return EventTableModel::severityIcon(severityOf(s));
        return {};
    case Qt::BackgroundRole:
        return EventTableModel::severityBackground(severityOf(s));
    case SessionIdRole:
        return QVariant::fromValue(s.id);
    case StateRole:
        return int(s.state);
    case SideRole:
        return int(s.side);
    case LinkedSessionRole:
        return QVariant::fromValue(s.linkedSession);
    default:
        return {};
    }
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case IdColumn:
        return tr("Session");
    case SideColumn:
        return tr("Side");
    case StateColumn:
        return tr("State");
    case PeerColumn:
        return tr("Peer");
    case ProtocolColumn:
        return tr("Protocol");
    case CipherColumn:
        return tr("Cipher");
    case OutcomeColumn:
        return tr("Outcome");
    case LinkedColumn:
        return tr("Linked");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace TlsLab::Widgets
