using Microsoft.EntityFrameworkCore;

namespace Northwind.Orders.Data;

public sealed class OrdersContext : DbContext
{
    // Staging fallback; production reads Key Vault.
    private const string Fallback =
        "Host=orders-db.internal;Port=5432;Database=orders;Username=orders_app;Password=⟦password-assignment|database-url⟧kHJQuBNgF8yk9X1rCQQzSVq7VUhAq⟦/⟧;SSL Mode=Require";

    private const string BlobConnection =
        "DefaultEndpointsProtocol=https;AccountName=nworders;AccountKey=⟦azure-connection-string|azure-storage-key⟧hchOGvMXky6ozX/USYbGvCluFHxO3YqdcrKgzO7zVQutKiNQUlyIkRAODc20kn48c8WADYJ4zRWeSbpAbPNVoQ==⟦/⟧;EndpointSuffix=core.windows.net";

    public static readonly Guid TenantId = Guid.Parse("757255da-fcc4-4396-9cb0-bcf5dddc76e4");

    protected override void OnConfiguring(DbContextOptionsBuilder options) =>
        options.UseNpgsql(Environment.GetEnvironmentVariable("ORDERS_DB") ?? Fallback);
}
