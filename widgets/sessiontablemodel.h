#pragma once

#include "model/core/session.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <utility>

class QTimer;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// Every session of both ends, in order of creation. The Timeline pushes each update (sessionUpdated); the first one
// starts a single-shot flush timer, and the flush applies everything buffered meanwhile: new sessions appended with
// one beginInsertRows(), changed rows merged into contiguous dataChanged ranges (one signal per run of rows).
// The two ends of one connection made in this process name each other in the "Linked" column.
class SessionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionTableModel)

public:
    enum Column {
        IdColumn,
        SideColumn,
        StateColumn,
        PeerColumn,
        ProtocolColumn,
        OutcomeColumn,
        CipherColumn,
        LinkedColumn,
        ColumnCount
    };
    enum Role {
        SessionIdRole = Qt::UserRole, // quint64
        StateRole, // int(Model::SessionState)
        SideRole, // int(Model::Side)
        LinkedSessionRole, // quint64
    };

    explicit SessionTableModel(Model::Timeline *timeline, QObject *parent = nullptr);
    ~SessionTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    Model::Session session(int row) const { return m_sessions.value(row); }
    int rowForSession(quint64 id) const { return m_rowById.value(id, -1); }

    // Applies the buffered updates now (the timer does it FlushDelayMs after the first update).
    void flush();
    static constexpr int FlushDelayMs = 50;

    // Sorted rows as [first, last] runs: {0, 1, 2, 5, 7, 8} -> {[0, 2], [5, 5], [7, 8]}.
    static QList<std::pair<int, int>> contiguousRanges(QList<int> rows);

private:
    void onSessionUpdated(quint64 id);
    void reset();

    Model::Timeline *m_timeline;
    QTimer *m_timer;
    QList<Model::Session> m_sessions;
    QHash<quint64, int> m_rowById;
    QList<quint64> m_pendingNew;
    QSet<quint64> m_pending;
};

// Words shown for a session's outcome ("encrypted, TLSv1.3", "refused: HTTP in plaintext", ...).
QString sessionOutcome(const Model::Session &session);

} // namespace TlsLab::Widgets
