#pragma once

#include "model/core/event.h"

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;
class QCborValue;

namespace TlsLab::Widgets {

// The structured fields of one event (time, session, side, kind, severity, summary and its details map) as a small
// tree of name/value pairs. An event's details never grow, so a QTreeWidget fits.
class EventDetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventDetailsPane)

public:
    explicit EventDetailsPane(QWidget *parent = nullptr);
    ~EventDetailsPane() override;

    void setEvent(const Model::Event &event);
    void clear();
    QString text() const; // "name: value" lines, for tests

private:
    void addValue(QTreeWidgetItem *parent, const QString &name, const QCborValue &value);

    QTreeWidget *m_tree;
};

} // namespace TlsLab::Widgets
