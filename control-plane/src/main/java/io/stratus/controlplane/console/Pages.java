package io.stratus.controlplane.console;

/** Where a paginated list stands, for its "previous / next" links (public: the templates call its methods). */
public record Pages(int page, int size, long total) {

    static Pages of(int page, int size, long total) {
        return new Pages(page, size, total);
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }

    public long first() {
        return total == 0 ? 0 : (long) page * size + 1;
    }

    public long last() {
        return Math.min(total, (long) (page + 1) * size);
    }
}
