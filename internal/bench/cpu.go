package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// cpuUse is the processor time a measured phase cost, split by where it was spent, and what the rest
// of the machine did meanwhile. On a machine shared with other work the rates move with that work;
// the processor time per call moves much less, so it is what comparisons of the service with
// pgbench rest on (see results.write).
type cpuUse struct {
	process  time.Duration // this process: server, OpenID provider and load clients (or pgbench's client)
	postgres time.Duration // the PostgreSQL backends connected to the throwaway database
	busy     time.Duration // every core's non-idle time over the phase, whoever used it
	wall     time.Duration
	ok       bool // false where there is no /proc or no sampling connection
}

// other is the processor time the rest of the machine used during the phase.
func (c cpuUse) other() time.Duration { return max(0, c.busy-c.process-c.postgres) }

// clockTick is Linux's USER_HZ, the unit of /proc times: 100 on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// cpuMeter samples the processor time of the PostgreSQL backends of one database (every 50 ms, so
// that short-lived connections such as pgbench's are seen too) while a phase runs.
type cpuMeter struct {
	conn    *pgx.Conn
	self    int32
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	first   map[int32]time.Duration
	last    map[int32]time.Duration
	start   time.Time
	startPr time.Duration
	startSy time.Duration
}

// startCPU begins metering; dbURL's database is the one whose backends count. It never fails: without
// /proc or a connection the result says ok=false.
func startCPU(ctx context.Context, dbURL string) *cpuMeter {
	m := &cpuMeter{first: map[int32]time.Duration{}, last: map[int32]time.Duration{}, stop: make(chan struct{}), done: make(chan struct{})}
	if conn, err := pgx.Connect(ctx, dbURL); err == nil {
		m.conn = conn
		if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&m.self); err != nil {
			conn.Close(ctx)
			m.conn = nil
		}
	}
	m.start, m.startPr, m.startSy = time.Now(), processCPU(), systemBusy()
	if m.conn != nil {
		m.sample(ctx, true)
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if m.conn != nil {
					m.sample(ctx, false)
				}
			}
		}
	}()
	return m
}

// sample reads the CPU time of every backend of the database; at the start it records the baseline,
// later a backend first seen counts from zero (it connected during the phase).
func (m *cpuMeter) sample(ctx context.Context, baseline bool) {
	rows, err := m.conn.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1", m.self)
	if err != nil {
		return
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, pid := range pids {
		t, ok := pidCPU(int(pid))
		if !ok {
			continue
		}
		if _, seen := m.first[pid]; !seen {
			if baseline {
				m.first[pid] = t
			} else {
				m.first[pid] = 0
			}
		}
		m.last[pid] = t
	}
}

// finish stops metering and returns the phase's use.
func (m *cpuMeter) finish(ctx context.Context) cpuUse {
	// The sampling goroutine ends first: a pgx.Conn serves one caller at a time.
	close(m.stop)
	<-m.done
	if m.conn != nil {
		m.sample(ctx, false)
	}
	u := cpuUse{wall: time.Since(m.start), process: processCPU() - m.startPr, busy: systemBusy() - m.startSy}
	if m.conn != nil {
		m.conn.Close(context.WithoutCancel(ctx))
		m.mu.Lock()
		for pid, last := range m.last {
			u.postgres += last - m.first[pid]
		}
		m.mu.Unlock()
		u.ok = u.busy > 0
	}
	return u
}

// processCPU is this process's user and system time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pidCPU is a process's user and system time from /proc/PID/stat.
func pidCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces; utime and stime are fields
	// 14 and 15, the 12th and 13th after it.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// systemBusy is the machine's non-idle processor time since boot, over all cores, from /proc/stat.
func systemBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0
		}
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest times are already in user
			continue
		}
		busy += n
	}
	return time.Duration(busy) * clockTick
}
