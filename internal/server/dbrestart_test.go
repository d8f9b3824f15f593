package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestDatabaseRestartUnderLoad stops PostgreSQL while callers read and write: during the outage they
// get Unavailable (never Internal), and once it is back they succeed again without restarting the
// service.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	cluster := dbtest.NewCluster(t)
	env := testenv.Start(t, testenv.Options{DatabaseURL: cluster.URL})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Szczecin"}))

	var phase atomic.Int32 // 0 before the outage, 1 during it, 2 after
	var mu sync.Mutex
	codes := map[int32]map[connect.Code]int{0: {}, 1: {}, 2: {}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := phase.Load()
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				var err error
				if i%2 == 0 {
					_, err = org.Editions.ListCities(cctx, &v1.ListCitiesRequest{})
				} else {
					_, err = org.Editions.CreateCity(cctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Miasto %d-%d-%d", w, p, i)})
				}
				cancel()
				if phase.Load() != p {
					p = 1 // began before the outage and ended in or after it: it may have met the outage
				}
				mu.Lock()
				codes[p][testenv.Code(err)]++
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	phase.Store(1)
	cluster.Stop()
	time.Sleep(time.Second)
	// Readiness tells a dead database from a busy pool.
	if code, body, _ := readyz(t, env); code != http.StatusServiceUnavailable || body != "database unreachable\n" {
		t.Errorf("readyz with the database stopped = %d %q; want 503 database unreachable", code, body)
	}
	cluster.Start()
	// Calls that began during the outage may finish just after it; give the pool a moment to
	// replace the connections the restart cut, then measure the recovered service.
	time.Sleep(500 * time.Millisecond)
	phase.Store(2)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	t.Logf("codes by phase: %v", codes)
	if codes[0][0] == 0 || codes[0][connect.CodeUnavailable]+codes[0][connect.CodeInternal] != 0 {
		t.Fatalf("before the outage: %v; want only successes", codes[0])
	}
	for code, n := range codes[1] {
		if code != 0 && code != connect.CodeUnavailable {
			t.Errorf("during the outage %d calls got %v; want Unavailable (or success just before or after)", n, code)
		}
	}
	if codes[1][connect.CodeUnavailable] == 0 {
		t.Errorf("no call saw the outage: %v", codes[1])
	}
	if len(codes[2]) != 1 || codes[2][0] == 0 {
		t.Fatalf("after the restart: %v; want every call to succeed again", codes[2])
	}
}
