using Gateway.Routing;
using Gateway.Specs;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Routing;

public sealed class RetryBudgetTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(0, 20, 3, 3)]
    [InlineData(8, 20, 3, 3)]
    [InlineData(100, 20, 3, 20)]
    [InlineData(99, 20, 3, 19)]
    [InlineData(10, 50, 1, 5)]
    public void Allowed_ActiveRequests_ShareOfThemButAtLeastTheMinimum(int active, double percent, int min, int expected) =>
        Assert.Equal(expected, RetryBudget.Allowed(active, new RetrySpec(BudgetPercent: percent, MinConcurrent: min)));

    /// <summary>
    /// Retries are written by the destination that failed, in the order they ask, with <c>-x</c> for
    /// a retry of <c>x</c> that is over; the expected answer is one letter per ask: <c>y</c> entered, <c>n</c> refused.
    /// </summary>
    [Theory]
    [InlineData("a a a a a", "yyyyy")]
    [InlineData("a b c d", "yyyn")]
    [InlineData("a a b b c c d", "yyyyyyn")]
    [InlineData("a b c -a d", "yyyy")]
    [InlineData("a a b c -a d", "yyyyn")]
    [InlineData("a b c -a -b -c d e f g", "yyyyyyn")]
    public void TryEnter_EightActiveRequestsAndTheDefaultBudget_OneSlotPerFailedDestination(string retries, string expected)
    {
        var budget = Budget(active: 8);
        var answers = "";
        foreach (var step in retries.Split(' '))
        {
            if (step.StartsWith('-'))
            {
                budget.Leave(step[1..]);
            }
            else
            {
                answers += budget.TryEnter(step, RetrySpec.Default) ? "y" : "n";
            }
        }

        Assert.Equal(expected, answers);
    }

    [Fact]
    public async Task EnterAsync_OverBudget_EntersWhenASlotFreesWithinTheWait()
    {
        var budget = Full();
        var waiting = budget.EnterAsync("d", RetrySpec.Default, CancellationToken.None).AsTask();

        Assert.False(waiting.IsCompleted);
        budget.Leave("a");
        _time.Advance(TimeSpan.FromMilliseconds(5));

        Assert.True(await waiting.WaitAsync(SafetyNet));
    }

    [Fact]
    public async Task EnterAsync_OverBudgetForTheWholeWait_Refused()
    {
        var budget = Full();
        var waiting = budget.EnterAsync("d", RetrySpec.Default, CancellationToken.None).AsTask();

        _time.Advance(RetryBudget.MaxWait);

        Assert.False(await waiting.WaitAsync(SafetyNet));
    }

    [Fact]
    public async Task EnterAsync_ABurstAlreadyInFlight_EntersAtOnceWithoutWaiting()
    {
        var budget = Full();

        Assert.True(await budget.EnterAsync("a", RetrySpec.Default, CancellationToken.None).AsTask().WaitAsync(SafetyNet));
    }

    /// <summary>Eight requests in flight, and retries of three failed destinations holding the three slots.</summary>
    private RetryBudget Full()
    {
        var budget = Budget(active: 8);
        foreach (var destination in "abc")
        {
            Assert.True(budget.TryEnter(destination.ToString(), RetrySpec.Default));
        }

        return budget;
    }

    private RetryBudget Budget(int active)
    {
        var budget = new RetryBudget(_time);
        for (var i = 0; i < active; i++)
        {
            budget.RequestStarted();
        }

        return budget;
    }
}
