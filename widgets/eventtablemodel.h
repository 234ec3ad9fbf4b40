#pragma once

#include "model/core/event.h"

#include <QAbstractTableModel>
#include <QIcon>

class QTimer;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// The timeline as a table. It never copies events: a row is an index into the Timeline, and data() reads only the
// rows a view asks for (the visible ones). The Timeline announces new events (eventsAppended); the first
// announcement starts a single-shot flush timer, and the flush inserts everything that arrived meanwhile with one
// beginInsertRows(), so a burst of 100,000 appends costs the view one insert (or a few steps, see flushStep()) and a
// quiet timeline costs nothing.
class EventTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventTableModel)

public:
    enum Column { TimeColumn, SessionColumn, SideColumn, KindColumn, SummaryColumn, ColumnCount };
    enum Role {
        EventIndexRole = Qt::UserRole, // qsizetype: index in the Timeline
        SessionRole, // quint64
        SideRole, // int(Model::Side)
        KindRole, // int(Model::EventKind)
        SeverityRole, // int(Model::Severity)
        TimeUsRole, // qint64
    };

    explicit EventTableModel(Model::Timeline *timeline, QObject *parent = nullptr);
    ~EventTableModel() override;

    Model::Timeline *timeline() const { return m_timeline; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Inserts every stored event not yet inserted, at once (for benchmarks and tests that need the rows now).
    void flush();
    // The timer's step: at most MaxRowsPerStep events, then again at once if more wait, so that views and filters
    // on top never take a whole burst in one go (the event loop runs in between).
    static constexpr int MaxRowsPerStep = 5000;
    // How long announced events wait to be inserted together: an interactive delay, and at most 20 inserts a
    // second while a handshake flood streams in.
    static constexpr int FlushDelayMs = 50;

    // Shared with the other views: a severity's icon and its background tint derived from the current palette.
    static QIcon severityIcon(Model::Severity severity);
    static QVariant severityBackground(Model::Severity severity);
    static QString shortTime(qint64 timeUs);

private:
    void onEventsAppended();
    void flushStep();
    // Inserts at most maxRows of the waiting events; true if more are waiting.
    bool insertUpTo(int maxRows);
    void reset();

    Model::Timeline *m_timeline;
    QTimer *m_timer;
    int m_rows = 0;
};

} // namespace TlsLab::Widgets
