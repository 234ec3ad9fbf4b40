#pragma once

// The window as the GUI tests open it, in one place: Qt's test-mode paths and a throwaway data folder
// (TLSLAB_DATA_DIR, so that settings and captures stay out of the user's) for the whole test case, then a new Lab and
// its MainWindow, shown, for each test function. A test case derives from it and calls the three from its
// initTestCase(), init() and cleanup():
//     void initTestCase() { QVERIFY(prepareDataFolder()); }
//     void init() { QVERIFY(openWindow()); }
//     void cleanup() { closeWindow(); }
#include "model/lab.h"
#include "widgets/mainwindow.h"

#include <QObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class WindowTest : public QObject
{
protected:
    bool prepareDataFolder()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (!m_dataDir.isValid())
            return false;
        qputenv("TLSLAB_DATA_DIR", m_dataDir.path().toLocal8Bit());
        return true;
    }

    // False when the window was not exposed.
    bool openWindow()
    {
        m_lab = std::make_unique<TlsLab::Model::Lab>();
        m_window = std::make_unique<TlsLab::Widgets::MainWindow>(*m_lab);
        m_window->show();
        return QTest::qWaitForWindowExposed(m_window.get());
    }

    // The window first, then the lab it shows.
    void closeWindow()
    {
        m_window.reset();
        m_lab.reset();
    }

    QTemporaryDir m_dataDir;
    std::unique_ptr<TlsLab::Model::Lab> m_lab;
    std::unique_ptr<TlsLab::Widgets::MainWindow> m_window;
};
