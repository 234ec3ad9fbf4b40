#pragma once

#include "model/timeline/timeline.h"

#include <QAbstractProxyModel>
#include <QList>

#include <memory>

namespace TlsLab::Model {
class SearchIndex;
}

namespace TlsLab::Widgets {

class EventTableModel;
using Model::SearchIndex;

// The filtered timeline: which events of an EventTableModel pass the session, side, severity, kind and text filters.
//
// Why not a QSortFilterProxyModel (as STYLE.md suggests for filters): with a million rows it calls filterAcceptsRow()
// once per row through the QModelIndex/QVariant machinery and keeps two mapping vectors per row; re-filtering and
// inserting that way cannot meet the 200 ms target. This proxy keeps its own index map instead: it asks
// Timeline::matching() for the rows passing the header criteria (a scan over compact fixed-size records), then
// checks the text of those candidates only, in chunks that run in parallel. It keeps one sorted list of source rows,
// and when the filter accepts everything it keeps no list at all and maps rows 1:1. When the user refines a search
// (the new text contains the old one, other criteria unchanged) only the rows that matched before are re-checked.
// Rows appended to the source are filtered as they arrive and appended with one beginInsertRows(). Text search is
// accelerated by a SearchIndex of bigram signatures built on a worker thread (see searchindex.h). It is a flat table
// proxy: mapToSource()/mapFromSource() go through that map, and views, selections and persistent indexes work as
// with any proxy.
//
// The map holds timeline indices, not source rows: when the source removes its front rows (events dropped by the
// timeline's budget), the proxy removes the rows of those events and nothing else shifts.
class EventFilterModel final : public QAbstractProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventFilterModel)

public:
    explicit EventFilterModel(EventTableModel *source, QObject *parent = nullptr);
    ~EventFilterModel() override;

    // The source is fixed at construction (the map is built for it); setting another one is refused.
    void setSourceModel(QAbstractItemModel *sourceModel) override;

    // Typed setters; each re-applies the filter at once.
    void setFilter(const Model::EventFilter &filter);
    Model::EventFilter filter() const { return m_filter; }
    void setSessions(const QList<quint64> &sessions);
    void setSideMask(quint32 mask);
    void setMinimumSeverity(Model::Severity severity);
    void setKindMask(quint64 mask);
    void setText(const QString &text);

    // Events whose search signature is built (the rest are searched the slow way until the worker catches up).
    qsizetype indexedEvents() const;

    int sourceRow(int row) const;
    // The row showing the given source row, or -1 when it is filtered out.
    int rowForSourceRow(int sourceRow) const;
    // The timeline index a row shows (-1 for no row), and the row showing a timeline index (-1 when filtered out,
    // dropped or not inserted yet).
    qsizetype eventIndex(int row) const;
    int rowForEvent(qsizetype eventIndex) const;

    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex &index) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void filterApplied();

private:
    // Recomputes the map; refilter() wraps it in a model reset (onSourceReset() is inside the source's).
    void refilter();
    void applyFilter();
    void onSourceReset();
    void onSourceRowsInserted(const QModelIndex &parent, int first, int last);
    void onSourceRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last);
    void onSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);
    QList<qsizetype> matchingParallel(qsizetype from, qsizetype to) const;
    QList<qsizetype> textMatches(const QList<qsizetype> &candidates) const;

    EventTableModel *m_source;
    std::unique_ptr<SearchIndex> m_index;
    Model::EventFilter m_filter;
    Model::EventFilter m_applied; // the filter m_rows was computed with
    bool m_passThrough = true;
    QList<qsizetype> m_rows; // timeline indices, ascending; unused while m_passThrough
    int m_passThroughRows = 0; // the source rows seen so far while m_passThrough
    qsizetype m_passThroughFirst = 0; // the timeline index of row 0 while m_passThrough
};

} // namespace TlsLab::Widgets
