"""Fix a lock-order deadlock.

Each Account has a unique `number`, a `balance`, and its own `lock`. The grader calls
`transfer(src, dst, amount)` from two threads at once, many times: one thread moves money from
account a to account b, the other from b to a. Keep the names `Account(number, balance)`,
its attributes `number`, `balance`, `lock`, and `transfer`.
"""

import threading


class Account:
    """A bank account with its own lock."""

    def __init__(self, number, balance):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    """Move amount from src to dst, holding both accounts' locks."""
    # One global order, whatever the direction: the lower account number first.
    first, second = sorted((src, dst), key=lambda account: account.number)
    with first.lock:
        with second.lock:
            src.balance -= amount
            dst.balance += amount


if __name__ == "__main__":
    a, b = Account(1, 1000), Account(2, 1000)

    def many(src, dst):
        for _ in range(100_000):
            transfer(src, dst, 1)

    threads = [threading.Thread(target=many, args=(a, b)),
               threading.Thread(target=many, args=(b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("balances", a.balance, b.balance)
