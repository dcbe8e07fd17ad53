"""Fix a lost update with a lock.

The grader makes `Account(0)` and calls `deposit(amount)` on it from 8 threads at once, many
times, then reads `balance`. Keep the names `Account`, `deposit` and the attribute `balance`.
"""

import threading


class Account:
    """A bank account shared by several threads."""

    def __init__(self, balance=0):
        self._lock = threading.Lock()  # one lock per account, shared by every thread
        self.balance = balance

    def deposit(self, amount):
        """Add amount to the balance."""
        with self._lock:  # the read and the write happen with no one in between
            current = self.balance
            self.balance = current + amount


if __name__ == "__main__":
    account = Account(0)

    def many():
        for _ in range(100_000):
            account.deposit(1)

    threads = [threading.Thread(target=many) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("balance", account.balance, "(expected 800000)")
